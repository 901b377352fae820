// How long a Noop message's `padding` must be for the message to serialize
// to a given size: the request padded to our call's request, and the answer
// the Noop pads to `answer_bytes` (the light-client table's floor moves as
// many bytes as our call). Used by the load tool and by the Noop itself.
#ifndef BACKINSTOCK_BENCH_BASELINE_PADDING_H_
#define BACKINSTOCK_BENCH_BASELINE_PADDING_H_

#include <google/protobuf/io/coded_stream.h>

#include <cstddef>

namespace backinstock::bench {

// The padding length that makes a message whose other fields take `others`
// bytes serialize to `total` bytes: the padding field's one-byte tag and its
// length prefix count too. Where no length fits exactly (the prefix grows a
// byte at 128, 16,384, ...), one byte short; 0 when there is no room at all.
inline size_t PaddingFor(size_t total, size_t others) {
  if (total <= others + 1) return 0;
  const size_t room = total - others - 1;  // for the length prefix and the bytes
  size_t padding = room;
  while (padding > 0 &&
         padding + google::protobuf::io::CodedOutputStream::VarintSize64(padding) > room) {
    --padding;
  }
  return padding;
}

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_BASELINE_PADDING_H_
