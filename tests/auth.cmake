# Unit tests of server/auth: tokens, keys, permissions, the authorizer.
backinstock_test(auth_test
  auth/keys_test.cc
  auth/method_permissions_test.cc
  auth/permissions_test.cc
  auth/token_verifier_test.cc
  auth/authorizer_test.cc)
# The audit line formatter against hostile values and the nlohmann reference.
backinstock_test(audit_line_test auth/audit_line_test.cc)
