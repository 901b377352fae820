// The gRPC channel a connection talks over: credentials from TlsOptions, the
// retry policy as the channel's default service config, the extra channel
// arguments. Connections make their own; make one here to share it between
// the two services' connections.
#ifndef BACKINSTOCK_CLIENT_CHANNEL_H_
#define BACKINSTOCK_CLIENT_CHANNEL_H_

#include <grpcpp/channel.h>

#include <memory>

#include "backinstock/client/options.h"

namespace backinstock::client {

std::shared_ptr<grpc::Channel> MakeChannel(const ConnectionOptions& options);

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_CHANNEL_H_
