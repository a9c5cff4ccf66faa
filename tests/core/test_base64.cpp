// Base64: the RFC 4648 test vectors both ways, and a foreign character refused.
#include <gtest/gtest.h>

#include "core/base64.h"

namespace flowrun {

TEST(Base64, Rfc4648VectorsBothWays) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},         {"f", "Zg=="},     {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, coded] : vectors) {
    const std::vector<uint8_t> bytes(plain.begin(), plain.end());
    EXPECT_EQ(base64_encode(bytes.data(), bytes.size()), coded) << plain;
    const auto back = base64_decode(coded);
    ASSERT_TRUE(back.has_value()) << coded;
    EXPECT_EQ(*back, bytes) << coded;
  }
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[size_t(i)] = uint8_t(i);
  EXPECT_EQ(base64_decode(base64_encode(all.data(), all.size())), all);
  EXPECT_FALSE(base64_decode("Zm9v!").has_value());
}

}  // namespace flowrun
