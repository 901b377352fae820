#include "client/ctl/rpc_runner.h"

#include <cstdio>
#include <iostream>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "backinstock/client/error.h"
#include "backinstock/errors/grpc_status.h"
#include "client/ctl/connection_flags.h"
#include "client/ctl/interrupts.h"

namespace backinstock::ctl {
namespace {

int Usage(const std::string& command, absl::string_view message) {
  std::cerr << "backinstockctl " << command << ": " << message << "\n"
            << "Run `backinstockctl " << command << " --help` for its usage.\n";
  return kExitUsage;
}

// INVALID_ARGUMENT is the command line's fault; anything else (an unreadable
// file) is a failure.
int Fail(const std::string& command, const absl::Status& status) {
  if (absl::IsInvalidArgument(status)) return Usage(command, status.message());
  std::cerr << "backinstockctl " << command << ": " << status.message() << "\n";
  return kExitFailure;
}

}  // namespace

absl::StatusOr<Prepared> Prepare(const std::string& command, const Args& args,
                                 const std::vector<std::string>& words,
                                 const std::string& positional_field,
                                 google::protobuf::Message* request, int* exit_code) {
  const size_t max_words = positional_field.empty() ? 0 : 1;
  if (words.size() > max_words) {
    *exit_code = Usage(command, absl::StrCat("unexpected argument \"", words[max_words], "\""));
    return absl::InvalidArgumentError("usage");
  }
  absl::Status read = ReadRequest(args, words.empty() ? "" : positional_field,
                                  words.empty() ? "" : words[0], request);
  if (!read.ok()) {
    *exit_code = Fail(command, read);
    return read;
  }
  absl::StatusOr<client::ConnectionOptions> connection = ConnectionFromFlags(args);
  if (!connection.ok()) {
    *exit_code = Fail(command, connection.status());
    return connection.status();
  }
  if (auto max = args.Get("max_messages")) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(*max, &n) || n <= 0) {
      *exit_code =
          Usage(command, absl::StrCat("--max_messages: \"", *max, "\" is not a positive number"));
      return absl::InvalidArgumentError("usage");
    }
  }
  Prepared prepared;
  prepared.connection = *std::move(connection);
  // Streams only get a deadline when asked for one.
  if (args.Has("deadline")) prepared.call.deadline = prepared.connection.default_deadline;
  return prepared;
}

void PrintRpcError(const std::string& command, const absl::Status& status) {
  std::cerr << "backinstockctl " << command << ": " << errors::CodeName(status.code()) << ": "
            << status.message() << "\n";
  if (auto info = client::ErrorInfo(status)) {
    std::cerr << "  reason: " << info->reason() << "\n";
    for (const auto& [key, value] : info->metadata()) {
      std::cerr << "  " << key << ": " << value << "\n";
    }
  }
  if (auto bad_request = client::BadRequest(status)) {
    for (const auto& violation : bad_request->field_violations()) {
      std::cerr << "  field " << violation.field() << ": " << violation.description() << "\n";
    }
  }
}

int PrintUnary(const std::string& command,
               const absl::StatusOr<google::protobuf::Message*>& response) {
  if (!response.ok()) {
    PrintRpcError(command, response.status());
    return kExitFailure;
  }
  std::cout << ToJson(**response, /*multiline=*/true) << std::endl;
  return kExitOk;
}

int DrainStream(const std::string& command, const Args& args,
                const std::function<bool(std::string* json_line)>& read_line,
                const std::function<absl::Status()>& finish, const std::function<void()>& cancel) {
  int64_t max_messages = std::numeric_limits<int64_t>::max();
  if (auto max = args.Get("max_messages"))
    (void)absl::SimpleAtoi(*max, &max_messages);  // checked by Prepare
  bool stopped_by_us = false;
  {
    OnInterrupt on_interrupt(cancel);
    std::string line;
    int64_t count = 0;
    while (read_line(&line)) {
      if (count == max_messages) continue;  // cancelled: drains what was in flight
      // One complete line at a time, flushed: a reader piping the output sees
      // every message as it arrives.
      std::cout << line << std::endl;
      if (++count == max_messages) {
        stopped_by_us = true;
        cancel();
      }
    }
    stopped_by_us |= on_interrupt.interrupted();
  }
  const absl::Status status = finish();
  if (status.ok() || (stopped_by_us && absl::IsCancelled(status))) return kExitOk;
  PrintRpcError(command, status);
  return kExitFailure;
}

}  // namespace backinstock::ctl
