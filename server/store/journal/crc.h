// The checksum of journal and snapshot records: CRC-32 (IEEE 802.3, the
// polynomial of zlib, gzip and PNG) from Debian's zlib. Debian 12 ships no C
// library for CRC-32C, and CRC-32 detects the same torn writes and bit flips
// at record sizes far below its 2^32-bit guarantee.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_CRC_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_CRC_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace backinstock::store::journal {

uint32_t Crc32(absl::string_view bytes);

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_CRC_H_
