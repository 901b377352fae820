#include "server/email/renderer.h"

namespace backinstock::email {

absl::StatusOr<RenderedEmail> RenderEmail(const RenderInput& input) {
  return absl::UnimplementedError("RenderEmail is not written yet");
}

}  // namespace backinstock::email
