# Unit tests of server/logging: the hand-written timestamp.
backinstock_test(logging_test logging/timestamp_test.cc)
