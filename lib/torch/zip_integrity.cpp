// Verifies the CRC-32 of every record of a ZIP archive (see zip_integrity.h).
// Only what LibTorch writes is accepted: stored records (tensors) and
// deflated ones (its code files), one disk, ZIP64 where sizes need it.
#include "lib/torch/zip_integrity.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <vector>

#include "core/error.h"

namespace flowrun {
namespace {

constexpr uint32_t kEndOfCentralDir = 0x06054b50, kZip64Locator = 0x07064b50, kZip64End = 0x06064b50,
                   kCentralHeader = 0x02014b50, kLocalHeader = 0x04034b50;
constexpr int64_t kMaxRecords = 1 << 20;

uint64_t le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) throw InputError(path + ": cannot read the checkpoint file");
    in_.seekg(0, std::ios::end);
    size_ = static_cast<int64_t>(in_.tellg());
  }
  int64_t size() const { return size_; }
  [[noreturn]] void broken(const std::string& why) const {
    throw InputError(path_ + ": damaged checkpoint (" + why + "); it cannot be trusted");
  }
  std::vector<unsigned char> read(int64_t offset, int64_t n) {
    if (offset < 0 || n < 0 || offset > size_ || n > size_ - offset) broken("a record points outside the file");
    std::vector<unsigned char> b(static_cast<size_t>(n));
    in_.seekg(offset);
    in_.read(reinterpret_cast<char*>(b.data()), n);
    if (in_.gcount() != n) broken("short read");
    return b;
  }
  // CRC-32 of a raw-deflate stream's output.
  uint32_t inflated_crc(int64_t offset, int64_t n, int64_t expect_size, const std::string& name) {
    if (offset < 0 || n < 0 || offset > size_ || n > size_ - offset) broken("a record's data runs past the end");
    in_.seekg(offset);
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) broken("zlib could not start");
    std::vector<char> chunk(1 << 16), out(1 << 16);
    uLong c = crc32(0L, Z_NULL, 0);
    int64_t produced = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      if (z.avail_in == 0) {
        const auto k = static_cast<std::streamsize>(std::min<int64_t>(n, static_cast<int64_t>(chunk.size())));
        if (k == 0) break;
        in_.read(chunk.data(), k);
        if (in_.gcount() != k) break;
        n -= k;
        z.next_in = reinterpret_cast<Bytef*>(chunk.data());
        z.avail_in = static_cast<uInt>(k);
      }
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      rc = inflate(&z, Z_NO_FLUSH);
      const size_t got = out.size() - z.avail_out;
      c = crc32(c, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(got));
      produced += static_cast<int64_t>(got);
      if (rc != Z_OK && rc != Z_STREAM_END) break;
      if (produced > expect_size) break;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || produced != expect_size) broken("record '" + name + "' does not inflate to its size");
    return static_cast<uint32_t>(c);
  }

  uint32_t crc(int64_t offset, int64_t n) {
    if (offset < 0 || n < 0 || offset > size_ || n > size_ - offset) broken("a record's data runs past the end");
    in_.seekg(offset);
    std::vector<char> chunk(1 << 20);
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) {
      const auto k = static_cast<std::streamsize>(std::min<int64_t>(n, static_cast<int64_t>(chunk.size())));
      in_.read(chunk.data(), k);
      if (in_.gcount() != k) broken("short read");
      c = crc32(c, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(k));
      n -= k;
    }
    return static_cast<uint32_t>(c);
  }

 private:
  std::string path_;
  std::ifstream in_;
  int64_t size_ = 0;
};

}  // namespace

ZipCheck verify_zip_records(const std::string& path) {
  Reader r(path);
  if (r.size() < 22) r.broken("too short for an archive");
  // The end record sits in the last 22 + 65535 (comment) bytes.
  const int64_t tail_len = std::min<int64_t>(r.size(), 22 + 65535);
  const std::vector<unsigned char> tail = r.read(r.size() - tail_len, tail_len);
  int64_t eocd = -1;
  for (int64_t i = tail_len - 22; i >= 0; --i)
    if (le(&tail[static_cast<size_t>(i)], 4) == kEndOfCentralDir) { eocd = i; break; }
  if (eocd < 0) r.broken("no end-of-archive record: truncated?");
  const unsigned char* e = &tail[static_cast<size_t>(eocd)];
  uint64_t entries = le(e + 10, 2), dir_size = le(e + 12, 4), dir_offset = le(e + 16, 4);
  if (entries == 0xFFFF || dir_size == 0xFFFFFFFF || dir_offset == 0xFFFFFFFF) {
    const int64_t at = r.size() - tail_len + eocd - 20;
    const std::vector<unsigned char> loc = r.read(at, 20);
    if (le(loc.data(), 4) != kZip64Locator) r.broken("ZIP64 sizes without a ZIP64 locator");
    const std::vector<unsigned char> z = r.read(static_cast<int64_t>(le(loc.data() + 8, 8)), 56);
    if (le(z.data(), 4) != kZip64End) r.broken("bad ZIP64 end record");
    entries = le(z.data() + 32, 8);
    dir_size = le(z.data() + 40, 8);
    dir_offset = le(z.data() + 48, 8);
  }
  if (entries > static_cast<uint64_t>(kMaxRecords) || dir_size > static_cast<uint64_t>(r.size()))
    r.broken("implausible record count or directory size");
  const std::vector<unsigned char> dir = r.read(static_cast<int64_t>(dir_offset), static_cast<int64_t>(dir_size));

  ZipCheck check;
  size_t pos = 0;
  for (uint64_t k = 0; k < entries; ++k) {
    if (pos + 46 > dir.size() || le(&dir[pos], 4) != kCentralHeader) r.broken("bad central directory");
    const unsigned char* h = &dir[pos];
    const uint64_t method = le(h + 10, 2), name_len = le(h + 28, 2), extra_len = le(h + 30, 2),
                   comment_len = le(h + 32, 2);
    const uint32_t stored_crc = static_cast<uint32_t>(le(h + 16, 4));
    uint64_t comp = le(h + 20, 4), uncomp = le(h + 24, 4), local = le(h + 42, 4);
    if (pos + 46 + name_len + extra_len + comment_len > dir.size()) r.broken("bad central directory");
    const std::string name(reinterpret_cast<const char*>(h + 46), name_len);
    // ZIP64 extra field: the 8-byte values of the fields that read all ones, in order.
    for (size_t x = 0; x + 4 <= extra_len;) {
      const unsigned char* f = h + 46 + name_len + x;
      const uint64_t id = le(f, 2), len = le(f + 2, 2);
      if (x + 4 + len > extra_len) r.broken("bad extra field of record '" + name + "'");
      if (id == 0x0001) {
        size_t o = 4;
        for (uint64_t* v : {&uncomp, &comp, &local}) {
          if (*v != 0xFFFFFFFF) continue;
          if (o + 8 > 4 + len) r.broken("short ZIP64 field of record '" + name + "'");
          *v = le(f + o, 8);
          o += 8;
        }
      }
      x += 4 + len;
    }
    pos += 46 + name_len + extra_len + comment_len;
    if (method != 0 && method != 8) r.broken("record '" + name + "' uses an unknown compression method");
    if (method == 0 && comp != uncomp) r.broken("record '" + name + "' has two sizes");
    const std::vector<unsigned char> lh = r.read(static_cast<int64_t>(local), 30);
    if (le(lh.data(), 4) != kLocalHeader) r.broken("record '" + name + "' has no local header");
    const int64_t data = static_cast<int64_t>(local) + 30 + static_cast<int64_t>(le(lh.data() + 26, 2)) +
                         static_cast<int64_t>(le(lh.data() + 28, 2));
    const uint32_t actual = method == 0 ? r.crc(data, static_cast<int64_t>(comp))
                                        : r.inflated_crc(data, static_cast<int64_t>(comp), static_cast<int64_t>(uncomp), name);
    if (actual != stored_crc) {
      char hex[64];
      std::snprintf(hex, sizeof hex, "stored %08x, computed %08x", stored_crc, actual);
      throw InputError(path + ": record '" + name + "' fails its CRC-32 check (" + hex +
                       "): the checkpoint was altered or damaged after it was written; it cannot be trusted");
    }
    ++check.records;
    check.bytes += static_cast<int64_t>(comp);
  }
  return check;
}

}  // namespace flowrun
