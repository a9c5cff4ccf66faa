// Base64 (RFC 4648, with padding) for bytes that travel inside JSON or HTML:
// RNG states in checkpoint metadata, PNG panels in report.html.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowrun {

std::string base64_encode(const uint8_t* data, size_t size);

// nullopt when `text` holds a character outside the alphabet (before '=').
std::optional<std::vector<uint8_t>> base64_decode(const std::string& text);

}  // namespace flowrun
