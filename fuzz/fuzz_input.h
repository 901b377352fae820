// A small reader over a fuzzer's input bytes, so that targets can take typed
// choices (a mode, a length, a flag) from the front of the input and leave
// the rest as payload. Reading past the end gives zeros and empty strings.
#ifndef BACKINSTOCK_FUZZ_FUZZ_INPUT_H_
#define BACKINSTOCK_FUZZ_FUZZ_INPUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto byte = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return byte;
  }

  bool Bool() { return (Byte() & 1) != 0; }

  // Up to `max` bytes, the length taken from the input.
  std::string Bytes(size_t max) {
    const size_t length = std::min<size_t>(Byte() % (max + 1), rest_.size());
    std::string bytes(rest_.substr(0, length));
    rest_.remove_prefix(length);
    return bytes;
  }

  absl::string_view Rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

}  // namespace backinstock::fuzz

#endif  // BACKINSTOCK_FUZZ_FUZZ_INPUT_H_
