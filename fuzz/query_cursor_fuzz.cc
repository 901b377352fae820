// The page cursor decoder. First byte even: the rest is a cursor as a caller
// sends it (base64url, MAC, site binding). Odd: the rest describes a cursor
// state (filter bytes, sort keys, page size, anchor values) that is encoded
// and decoded again, reaching the payload decoder behind the MAC.
// Properties: a cursor decodes only for the site it was made for, and an
// encoded valid state decodes to itself.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_input.h"
#include "server/domain/query/cursor.h"
#include "server/domain/query/fields.h"

namespace {

namespace query = backinstock::domain::query;

const query::CursorCodec& Codec() {
  static const query::CursorCodec* codec = new query::CursorCodec(
      *query::CursorCodec::WithSecret("a-fixed-cursor-secret-for-fuzzing-0123456789"));
  return *codec;
}

query::Value ValueFrom(backinstock::fuzz::FuzzInput& input) {
  switch (input.Byte() % 4) {
    case 0:
      return std::monostate{};
    case 1:
      return input.Bool();
    case 2: {
      int64_t number = 0;
      for (int i = 0; i < 8; ++i) number = (number << 8) | input.Byte();
      return number;
    }
    default:
      return input.Bytes(48);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  backinstock::fuzz::FuzzInput input(data, size);
  if (!input.Bool()) {
    (void)Codec().Decode("site", input.Rest());
    return 0;
  }
  query::CursorState state;
  state.filter = input.Bytes(64);
  const int keys = input.Byte() % 4;
  for (int i = 0; i < keys; ++i) {
    state.order.push_back(
        {static_cast<query::Field>(input.Byte() % query::kFieldCount), input.Bool()});
  }
  state.limit = input.Byte();
  state.anchor.backward = input.Bool();
  state.anchor.inclusive = input.Bool();
  for (int i = 0; i < keys; ++i) state.anchor.position.push_back(ValueFrom(input));

  const absl::StatusOr<std::string> encoded = Codec().Encode("site", state);
  if (!encoded.ok()) std::abort();  // only OpenSSL failing could refuse
  const std::string& cursor = *encoded;
  if (Codec().Decode("other-site", cursor).ok()) std::abort();
  auto decoded = Codec().Decode("site", cursor);
  if (!decoded.ok()) return 0;  // a state no query would produce is refused
  if (decoded->filter != state.filter || !(decoded->order == state.order) ||
      decoded->limit != state.limit || !(decoded->anchor == state.anchor)) {
    std::abort();
  }
  return 0;
}
