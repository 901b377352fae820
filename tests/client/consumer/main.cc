// consumer TARGET IDENTITY_TOKEN: prints the site's collection states, one
// "app_id collecting" line each, then the reason an anonymous call fails.
#include <iostream>

#include "backinstock/client/error.h"
#include "backinstock/client/settings_client.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer TARGET IDENTITY_TOKEN\n";
    return 2;
  }
  namespace bis = backinstock::client;
  bis::ConnectionOptions options;
  options.target = argv[1];
  options.identity_token = argv[2];
  bis::SettingsClient client(bis::MakeSettingsConnection(options));

  auto settings = client.GetSettings();
  if (!settings.ok()) {
    std::cerr << settings.status() << " reason=" << bis::ErrorReason(settings.status()) << "\n";
    return 1;
  }
  for (const auto& state : settings->settings().collection_states()) {
    std::cout << state.app_id() << " " << (state.collecting_requests() ? "true" : "false") << "\n";
  }

  options.identity_token.clear();
  auto anonymous = bis::SettingsClient(bis::MakeSettingsConnection(options)).GetSettings();
  std::cout << "anonymous: " << bis::ErrorReason(anonymous.status()) << "\n";
  return 0;
}
