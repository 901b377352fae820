# Unit tests of server/logging: the hand-written timestamp, the text line.
backinstock_test(logging_test logging/timestamp_test.cc logging/log_line_test.cc)
