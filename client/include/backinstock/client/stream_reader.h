// The reading end of a server stream (WatchSettings,
// WatchNotificationRequestEvents), abstract so that tests can fake it.
#ifndef BACKINSTOCK_CLIENT_STREAM_READER_H_
#define BACKINSTOCK_CLIENT_STREAM_READER_H_

#include "absl/status/status.h"

namespace backinstock::client {

template <typename Response>
class StreamReader {
 public:
  virtual ~StreamReader() = default;

  // Blocks until the server has started the stream (its initial metadata
  // arrived) or ended it. WatchNotificationRequestEvents starts once the
  // server is subscribed: every change made after this returns is delivered.
  // Call it before the first Read(), or not at all.
  virtual void WaitUntilStarted() = 0;

  // Blocks until the next message and stores it in `*response`; returns false
  // once the stream has ended (then call Finish()).
  virtual bool Read(Response* response) = 0;

  // The stream's final status, once Read() returned false: OK when the server
  // ended the stream, CANCELLED after Cancel(), or the error (for example an
  // authentication failure, which ends the stream before any message).
  virtual absl::Status Finish() = 0;

  // Ends the stream from any thread; a blocked Read() returns false.
  virtual void Cancel() = 0;
};

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_STREAM_READER_H_
