// Reading what the server delivered into a Maildir (--mail_dir): the messages
// in new/, with the headers tests look at.
#ifndef BACKINSTOCK_TESTS_SUPPORT_MAILDIR_H_
#define BACKINSTOCK_TESTS_SUPPORT_MAILDIR_H_

#include <string>
#include <vector>

namespace backinstock::testing {

struct MaildirMessage {
  std::string file;          // path under new/
  std::string delivered_to;  // the Delivered-To header: the recipient
  std::string message_id;    // the Message-ID header
  std::string subject;       // the Subject header, as written (maybe encoded)
  std::string text;          // the whole file
};

// Every message in `dir`/new, in no particular order; empty when there is
// none (or no such directory).
std::vector<MaildirMessage> ReadMaildir(const std::string& dir);

// Files left in `dir`/tmp (a finished delivery leaves none).
size_t MaildirTmpFiles(const std::string& dir);

// Removes `dir` and everything under it (a test's own temporary directory).
void RemoveTree(const std::string& dir);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_MAILDIR_H_
