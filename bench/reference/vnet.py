"""The lineage V-Net (UA-MT / MC-Net), written from its description in
docs (docs/method.md, section 1): five encoder stages of 1, 2, 3, 3, 3 convolutions
at widths f..16f with stride-2 2x2x2 convolutions between them, four decoder
stages of 3, 3, 2, 1 convolutions after stride-2 transposed convolutions whose
output is added to the skip, BatchNorm and ReLU after every convolution,
Dropout3d(0.5) after the bottleneck and the last decoder stage, a 1x1x1
convolution to the logits. Module names follow the lineage's, so a state dict
maps onto flowrun's by name."""
import torch
from torch import nn


def _stage(n_convs, c_in, c_out):
    layers = []
    for i in range(n_convs):
        layers += [nn.Conv3d(c_in if i == 0 else c_out, c_out, 3, padding=1),
                   nn.BatchNorm3d(c_out), nn.ReLU(inplace=True)]
    return layers


class Block(nn.Module):
    """A named holder: the lineage keeps each block's layers in `.conv`."""

    def __init__(self, layers):
        super().__init__()
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return self.conv(x)


def _down(c_in, c_out):
    return Block([nn.Conv3d(c_in, c_out, 2, stride=2), nn.BatchNorm3d(c_out), nn.ReLU(inplace=True)])


def _up(c_in, c_out):
    return Block([nn.ConvTranspose3d(c_in, c_out, 2, stride=2), nn.BatchNorm3d(c_out), nn.ReLU(inplace=True)])


class VNet(nn.Module):
    def __init__(self, in_channels=1, n_classes=2, n_filters=16, dropout=True):
        super().__init__()
        f = n_filters
        self.use_dropout = dropout
        self.block_one = Block(_stage(1, in_channels, f))
        self.block_one_dw = _down(f, 2 * f)
        self.block_two = Block(_stage(2, 2 * f, 2 * f))
        self.block_two_dw = _down(2 * f, 4 * f)
        self.block_three = Block(_stage(3, 4 * f, 4 * f))
        self.block_three_dw = _down(4 * f, 8 * f)
        self.block_four = Block(_stage(3, 8 * f, 8 * f))
        self.block_four_dw = _down(8 * f, 16 * f)
        self.block_five = Block(_stage(3, 16 * f, 16 * f))
        self.block_five_up = _up(16 * f, 8 * f)
        self.block_six = Block(_stage(3, 8 * f, 8 * f))
        self.block_six_up = _up(8 * f, 4 * f)
        self.block_seven = Block(_stage(3, 4 * f, 4 * f))
        self.block_seven_up = _up(4 * f, 2 * f)
        self.block_eight = Block(_stage(2, 2 * f, 2 * f))
        self.block_eight_up = _up(2 * f, f)
        self.block_nine = Block(_stage(1, f, f))
        self.out_conv = nn.Conv3d(f, n_classes, 1)
        self.dropout = nn.Dropout3d(p=0.5)

    def forward(self, x):
        x1 = self.block_one(x)
        x2 = self.block_two(self.block_one_dw(x1))
        x3 = self.block_three(self.block_two_dw(x2))
        x4 = self.block_four(self.block_three_dw(x3))
        x5 = self.block_five(self.block_four_dw(x4))
        if self.use_dropout:
            x5 = self.dropout(x5)
        x6 = self.block_six(self.block_five_up(x5) + x4)
        x7 = self.block_seven(self.block_six_up(x6) + x3)
        x8 = self.block_eight(self.block_seven_up(x7) + x2)
        x9 = self.block_nine(self.block_eight_up(x8) + x1)
        if self.use_dropout:
            x9 = self.dropout(x9)
        return self.out_conv(x9)
