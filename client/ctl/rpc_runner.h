// The two shapes of an RPC command: a unary call printed as one JSON document,
// and a server stream printed as one JSON line per message.
#ifndef BACKINSTOCK_CLIENT_CTL_RPC_RUNNER_H_
#define BACKINSTOCK_CLIENT_CTL_RPC_RUNNER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backinstock/client/options.h"
#include "backinstock/client/stream_reader.h"
#include "client/ctl/args.h"
#include "client/ctl/exit_codes.h"
#include "client/ctl/json_io.h"
#include "google/protobuf/message.h"

namespace backinstock::ctl {

// Everything a command needs before it calls: the request (from --request and
// the positional argument) and the connection options. On failure, prints why
// and returns the exit code.
struct Prepared {
  client::ConnectionOptions connection;
  client::CallOptions call;
};
// `positional_field`: the request's string field set from the one word after
// the command ("" when the command takes none).
absl::StatusOr<Prepared> Prepare(const std::string& command, const Args& args,
                                 const std::vector<std::string>& words,
                                 const std::string& positional_field,
                                 google::protobuf::Message* request, int* exit_code);

// Prints a failed call's code, message, ErrorInfo and field violations.
void PrintRpcError(const std::string& command, const absl::Status& status);

// Prints `response` as indented JSON, or the error; returns the exit code.
int PrintUnary(const std::string& command,
               const absl::StatusOr<google::protobuf::Message*>& response);

// Reads `stream` to its end (or --max_messages, or SIGINT/SIGTERM), one JSON
// line per message; returns the exit code.
int DrainStream(const std::string& command, const Args& args,
                const std::function<bool(std::string* json_line)>& read_line,
                const std::function<absl::Status()>& finish, const std::function<void()>& cancel);

template <typename Request, typename Response, typename Call>
int RunUnary(const std::string& command, const std::string& positional_field, const Args& args,
             const std::vector<std::string>& words, Call call) {
  Request request;
  int exit_code = kExitOk;
  absl::StatusOr<Prepared> prepared =
      Prepare(command, args, words, positional_field, &request, &exit_code);
  if (!prepared.ok()) return exit_code;
  absl::StatusOr<Response> response = call(prepared->connection, request, prepared->call);
  if (!response.ok()) return PrintUnary(command, response.status());
  return PrintUnary(command, &*response);
}

template <typename Request, typename Response, typename Start>
int RunStream(const std::string& command, const Args& args, const std::vector<std::string>& words,
              Start start) {
  Request request;
  int exit_code = kExitOk;
  absl::StatusOr<Prepared> prepared = Prepare(command, args, words, "", &request, &exit_code);
  if (!prepared.ok()) return exit_code;
  std::unique_ptr<client::StreamReader<Response>> stream =
      start(prepared->connection, request, prepared->call);
  Response message;
  return DrainStream(
      command, args,
      [&](std::string* line) {
        if (!stream->Read(&message)) return false;
        *line = ToJson(message, /*multiline=*/false);
        return true;
      },
      [&] { return stream->Finish(); }, [&] { stream->Cancel(); });
}

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_RPC_RUNNER_H_
