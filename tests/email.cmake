# The notification email: template checks, rendering, the MIME message, SMTP
# sending through a real relay (aiosmtpd), and a real browser's rendering.

# The aiosmtpd relay and the Python checkers the email tests run.
add_library(backinstock_email_test_support STATIC
  support/smtp_relay.cc
  email/python_json.cc)
target_link_libraries(backinstock_email_test_support PUBLIC backinstock_test_support
  backinstock_email nlohmann_json::nlohmann_json)
target_compile_definitions(backinstock_email_test_support PRIVATE
  BACKINSTOCK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

backinstock_test(email_template_test
  email/email_template_test.cc
  email/renderer_test.cc
  email/mime_message_test.cc)
target_link_libraries(email_template_test PRIVATE backinstock_email_test_support)

backinstock_test(email_smtp_test email/smtp_sender_test.cc)
target_link_libraries(email_smtp_test PRIVATE backinstock_email_test_support)

backinstock_test(email_screenshot_test email/screenshot_test.cc)
target_link_libraries(email_screenshot_test PRIVATE backinstock_email_test_support)

backinstock_test(email_smtp_flags_test email/smtp_flags_test.cc)
