#include "server/email/smtp_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "server/domain/notification_requests/validation.h"

namespace backinstock::email {
namespace {

constexpr absl::Duration kMaxConnectTimeout = absl::Seconds(10);

bool IsAsciiEmail(absl::string_view address) {
  return domain::IsValidEmail(address) && std::all_of(address.begin(), address.end(), [](char c) {
           return static_cast<unsigned char>(c) < 0x80;
         });
}

void GlobalInitOnce() {
  static absl::once_flag once;
  absl::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The part of the URL after "scheme://" has no path: libcurl then greets the
// relay with EHLO and no name; the mail domain is a better one.
std::string UrlWithEhloName(const SmtpConfig& config) {
  const size_t scheme_end = config.url.find("://");
  if (config.url.find('/', scheme_end + 3) != std::string::npos) return config.url;
  const size_t at = config.mail_from.rfind('@');
  return absl::StrCat(config.url, "/", config.mail_from.substr(at + 1));
}

curl_usessl UseSsl(absl::string_view starttls) {
  if (starttls == "off") return CURLUSESSL_NONE;
  if (starttls == "required") return CURLUSESSL_ALL;
  return CURLUSESSL_TRY;
}

struct Upload {
  absl::string_view data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

class SmtpSender final : public MailSender {
 public:
  SmtpSender(const SmtpConfig& config, CURL* curl)
      : config_(config), url_(UrlWithEhloName(config)), curl_(curl) {}
  ~SmtpSender() override { curl_easy_cleanup(curl_); }

  absl::Status Send(absl::string_view envelope_from, absl::string_view recipient,
                    absl::string_view message) override {
    if (!IsAsciiEmail(envelope_from)) {
      return errors::InvalidField(
          "envelope_from", absl::StrCat(errors::Quoted(envelope_from), " is not an email address"));
    }
    if (!IsAsciiEmail(recipient)) {
      return errors::InvalidField(
          "to", absl::StrCat(errors::Quoted(recipient), " is not an ASCII email address"));
    }
    absl::MutexLock lock(&mu_);
    return SendLocked(envelope_from, recipient, message);
  }

 private:
  absl::Status SendLocked(absl::string_view envelope_from, absl::string_view recipient,
                          absl::string_view message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // A reset keeps the handle's live connections, so the next message may
    // reuse the relay's connection.
    curl_easy_reset(curl_);
    const std::string from = absl::StrCat("<", envelope_from, ">");
    const std::string to(recipient);
    curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
    Upload upload{message};
    char error[CURL_ERROR_SIZE] = "";
    const absl::Duration connect = std::min(config_.timeout, kMaxConnectTimeout);
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl_, CURLOPT_USE_SSL, static_cast<long>(UseSsl(config_.starttls)));
    if (!config_.username.empty()) {
      curl_easy_setopt(curl_, CURLOPT_USERNAME, config_.username.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, config_.password.c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(connect)));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(config_.timeout)));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    const CURLcode result = curl_easy_perform(curl_);
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(recipients);
    if (result == CURLE_OK) return absl::OkStatus();
    return StatusOf(result, code, error);
  }

  static absl::Status StatusOf(CURLcode result, long code, const char* error) {
    const std::string detail =
        absl::StrCat(*error != '\0' ? error : curl_easy_strerror(result),
                     code != 0 ? absl::StrCat(" (SMTP reply ", code, ")") : std::string());
    if (code >= 500 && code <= 599) {
      return errors::Error(absl::StatusCode::kFailedPrecondition, "SMTP_REJECTED",
                           absl::StrCat("the mail relay refused the message: ", detail),
                           {{"smtpCode", absl::StrCat(code)}});
    }
    // 4xx, no answer, a refused or dropped connection, a timeout: all may
    // pass.
    const std::string message = absl::StrCat("the mail relay is unavailable: ", detail);
    if (code == 0) {
      return errors::Error(absl::StatusCode::kUnavailable, "SMTP_UNAVAILABLE", message);
    }
    const std::string code_text = absl::StrCat(code);
    return errors::Error(absl::StatusCode::kUnavailable, "SMTP_UNAVAILABLE", message,
                         {{"smtpCode", code_text}});
  }

  const SmtpConfig config_;
  const std::string url_;
  absl::Mutex mu_;
  CURL* const curl_ ABSL_PT_GUARDED_BY(mu_);
};

}  // namespace

absl::Status ValidateSmtpConfig(const SmtpConfig& config) {
  if (config.starttls != "off" && config.starttls != "opportunistic" &&
      config.starttls != "required") {
    return absl::InvalidArgumentError("--smtp_starttls must be off, opportunistic or required");
  }
  if (config.url.empty()) return absl::OkStatus();
  const bool smtp = absl::StartsWith(config.url, "smtp://");
  const bool smtps = absl::StartsWith(config.url, "smtps://");
  const size_t host_start = smtp ? 7 : 8;
  if ((!smtp && !smtps) || config.url.size() <= host_start || config.url[host_start] == '/' ||
      config.url[host_start] == ':' ||
      std::any_of(config.url.begin(), config.url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return absl::InvalidArgumentError(
        absl::StrCat("--smtp_url must be smtp://host:port or smtps://host:port, not ",
                     errors::Quoted(config.url)));
  }
  if (config.mail_from.empty()) {
    return absl::InvalidArgumentError("--mail_from is required with --smtp_url");
  }
  if (!IsAsciiEmail(config.mail_from)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--mail_from: ", errors::Quoted(config.mail_from), " is not an ASCII email address"));
  }
  if (!config.password.empty() && config.username.empty()) {
    return absl::InvalidArgumentError("--smtp_password_file needs --smtp_username");
  }
  if (config.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the SMTP timeout must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MailSender>> MakeSmtpSender(const SmtpConfig& config) {
  if (config.url.empty()) return absl::InvalidArgumentError("no --smtp_url");
  if (absl::Status valid = ValidateSmtpConfig(config); !valid.ok()) return valid;
  GlobalInitOnce();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  return std::unique_ptr<MailSender>(new SmtpSender(config, curl));
}

}  // namespace backinstock::email
