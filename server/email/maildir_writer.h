// The MailSender used without a relay (--smtp_url empty): each message is
// delivered into a Maildir (--mail_dir), the format mail clients (mutt,
// Thunderbird via a local account, Evolution) open as a mailbox, so a person
// trying the server reads the emails customers would get.
//
// It follows Maildir's own delivery protocol: the message is written under
// tmp/ with a unique name, fsync'ed, then renamed into new/ and the directory
// fsync'ed. An email reported written therefore survives a crash, and a
// reader never sees half of one (a crash leaves at most a file in tmp/).
#ifndef BACKINSTOCK_SERVER_EMAIL_MAILDIR_WRITER_H_
#define BACKINSTOCK_SERVER_EMAIL_MAILDIR_WRITER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/email/smtp_sender.h"

namespace backinstock::email {

// Creates `dir` and its tmp/, new/ and cur/ (as needed) and returns a writer
// into it; UNAVAILABLE when they cannot be made. Send adds Return-Path and
// Delivered-To headers (as a local delivery agent does), stores the message
// with LF line ends (Maildir's convention), and answers UNAVAILABLE (reason
// SMTP_UNAVAILABLE, so delivery retries it) when the file cannot be written.
// Thread-safe; writers on the same directory never pick the same name.
absl::StatusOr<std::unique_ptr<MailSender>> OpenMaildir(const std::string& dir);

// Removes from the Maildir `dir` (new/, cur/ and tmp/) every message whose
// Delivered-To header is `address`, ignoring ASCII case, and syncs the
// directories it changed: a customer's erase also removes the server's own
// stored copies of the emails it sent them. Returns how many it removed;
// UNAVAILABLE (STORAGE_UNAVAILABLE) when the directory cannot be read or a
// file cannot be removed. A message being written while it runs may be left.
absl::StatusOr<int> EraseFromMaildir(const std::string& dir, absl::string_view address);

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_MAILDIR_WRITER_H_
