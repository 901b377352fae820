// A real browser (Debian's headless Chromium) renders the email's HTML to a
// PNG; the test fails on a blank or unstyled page by looking for the brand
// color where the layout puts it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/email/email_template.h"
#include "server/email/renderer.h"
#include "tests/support/child_process.h"
#include "tests/support/python_json.h"
#include "tests/support/test_server.h"

namespace backinstock::email {
namespace {

constexpr char kDefaultBrandColor[] = "#2563eb";  // the layout's, without brand_color

// Renders `html` with headless Chromium into a PNG at `path`; the window is
// `width` by `height` CSS pixels.
void Screenshot(const std::string& html, const std::string& path, int width, int height) {
  const std::string html_path = testing::WriteTempFile("email", html);
  const std::string page = html_path + ".html";
  std::filesystem::rename(html_path, page);
  const std::string profile = testing::TempPath("chromium-profile");
  std::filesystem::create_directory(profile);
  const std::vector<std::string> argv = {"/usr/bin/chromium",
                                         "--headless",
                                         "--no-sandbox",
                                         "--disable-gpu",
                                         "--disable-quic",
                                         "--no-first-run",
                                         "--disable-background-networking",
                                         "--disable-component-update",
                                         "--disable-sync",
                                         "--hide-scrollbars",
                                         "--force-device-scale-factor=1",
                                         absl::StrCat("--user-data-dir=", profile),
                                         absl::StrCat("--screenshot=", path),
                                         absl::StrCat("--window-size=", width, ",", height),
                                         absl::StrCat("file://", page)};
  const std::string log = testing::TempPath("chromium-log");
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  absl::StatusOr<pid_t> pid = testing::SpawnChild(argv, {}, out, out);
  close(out);
  ASSERT_TRUE(pid.ok()) << pid.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  int status = 0;
  while (waitpid(*pid, &status, WNOHANG) != *pid) {
    if (absl::Now() > deadline) {
      kill(*pid, SIGKILL);
      waitpid(*pid, &status, 0);
      ADD_FAILURE() << "chromium did not finish: " << testing::ReadWholeFile(log);
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));  // polling the child's exit
  }
  EXPECT_TRUE(std::filesystem::exists(path)) << testing::ReadWholeFile(log);
  std::error_code error;
  std::filesystem::remove_all(profile, error);
  unlink(page.c_str());
  unlink(log.c_str());
}

struct Probe {
  std::vector<std::vector<int>> points;
  std::vector<std::pair<int, int>> rects;  // (matching, total)
};

Probe ProbePng(const std::string& path, const std::string& color,
               const std::vector<std::string>& points, const std::vector<std::string>& rects) {
  std::vector<std::string> args = {path, color};
  for (const auto& p : points) args.insert(args.end(), {"--point", p});
  for (const auto& r : rects) args.insert(args.end(), {"--rect", r});
  absl::StatusOr<nlohmann::json> json =
      testing::RunPythonJson("tests/server/email/png_probe.py", args);
  EXPECT_TRUE(json.ok()) << json.status();
  Probe probe;
  if (!json.ok()) return probe;
  for (const auto& p : (*json)["points"]) {
    probe.points.push_back(p.is_null() ? std::vector<int>() : p.get<std::vector<int>>());
  }
  for (const auto& r : (*json)["rects"]) probe.rects.emplace_back(r["matching"], r["total"]);
  return probe;
}

std::vector<int> Rgb(const std::string& color) {
  return {std::stoi(color.substr(1, 2), nullptr, 16), std::stoi(color.substr(3, 2), nullptr, 16),
          std::stoi(color.substr(5, 2), nullptr, 16)};
}

RenderInput Input(const v1::EmailTemplate& t) {
  RenderInput input;
  input.email_template = t;
  input.item.set_name("Blue Ceramic Mug");
  input.item.set_price("12.50");
  input.item_url = "https://shop.example.com/mug";
  input.customer_email = "ann@example.com";
  return input;
}

// The page as a person sees it: the brand color fills the heading bar across
// the 600px column (and nothing outside it), with the heading's text on it,
// and the button; the page background is the layout's grey.
void ExpectStyled(const std::string& html, const std::string& color, const std::string& name) {
  const std::string desktop = testing::TempPath(name) + "-desktop.png";
  Screenshot(html, desktop, 700, 900);
  // The column is 600px wide and centred: x 50..650; the heading bar is the
  // first row, from y 24 down for at least 80px.
  Probe probe = ProbePng(desktop, color, {"10,10", "60,40", "640,100", "30,60"},
                         {"50,24,650,104", "0,104,700,900"});
  ASSERT_EQ(probe.points.size(), 4u);
  EXPECT_EQ(probe.points[0], Rgb("#f3f4f6")) << "page background";
  EXPECT_EQ(probe.points[1], Rgb(color)) << "heading bar, left";
  EXPECT_EQ(probe.points[2], Rgb(color)) << "heading bar, right";
  EXPECT_EQ(probe.points[3], Rgb("#f3f4f6")) << "outside the column";
  ASSERT_EQ(probe.rects.size(), 2u);
  // Mostly brand color, but not only: the heading's letters are on it.
  EXPECT_GT(probe.rects[0].first, probe.rects[0].second * 8 / 10);
  EXPECT_LT(probe.rects[0].first, probe.rects[0].second);
  // The button: a brand-colored block below the bar (at least 100x40).
  EXPECT_GT(probe.rects[1].first, 4000);

  // On a phone-sized window the column fills the width (12px margins) and
  // nothing overflows.
  const std::string phone = testing::TempPath(name) + "-phone.png";
  Screenshot(html, phone, 390, 900);
  probe = ProbePng(phone, color, {"14,40", "375,40", "5,40", "386,40"}, {});
  ASSERT_EQ(probe.points.size(), 4u);
  EXPECT_EQ(probe.points[0], Rgb(color)) << "phone: heading bar, left";
  EXPECT_EQ(probe.points[1], Rgb(color)) << "phone: heading bar, right";
  EXPECT_EQ(probe.points[2], Rgb("#f3f4f6")) << "phone: left margin";
  EXPECT_EQ(probe.points[3], Rgb("#f3f4f6")) << "phone: right margin";
  if (std::getenv("BACKINSTOCK_KEEP_SCREENSHOTS") == nullptr) {
    unlink(desktop.c_str());
    unlink(phone.c_str());
  } else {
    std::cerr << "screenshots: " << desktop << " " << phone << "\n";
  }
}

TEST(EmailScreenshot, DefaultTemplate) {
  absl::StatusOr<RenderedEmail> email = RenderEmail(Input(DefaultEmailTemplate()));
  ASSERT_TRUE(email.ok()) << email.status();
  ExpectStyled(email->html, kDefaultBrandColor, "email-default");
}

TEST(EmailScreenshot, CustomizedTemplate) {
  v1::EmailTemplate t = DefaultEmailTemplate();
  t.set_brand_color("#C2185B");
  t.set_heading("{{item.name}} is here again");
  t.set_body("Hi {{customer.email}},\n\nWe restocked it this morning.\n\nSee you soon!");
  t.set_button_text("Buy it now");
  t.set_footer("Acme Store, 1 Main Street\nYou asked to hear about this item.");
  absl::StatusOr<RenderedEmail> email = RenderEmail(Input(t));
  ASSERT_TRUE(email.ok()) << email.status();
  ExpectStyled(email->html, "#c2185b", "email-custom");
}

}  // namespace
}  // namespace backinstock::email
