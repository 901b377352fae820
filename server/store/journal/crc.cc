#include "server/store/journal/crc.h"

#include <zlib.h>

namespace backinstock::store::journal {

uint32_t Crc32(absl::string_view bytes) {
  return static_cast<uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

}  // namespace backinstock::store::journal
