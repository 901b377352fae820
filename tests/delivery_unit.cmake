# Background email delivery, units: the queue over the memory store with a
# scripted sender, the retry policy, the Maildir writer.
backinstock_test(delivery_unit_test
  delivery_unit/delivery_queue_test.cc
  delivery_unit/maildir_writer_test.cc)
target_link_libraries(delivery_unit_test PRIVATE backinstock_delivery)
