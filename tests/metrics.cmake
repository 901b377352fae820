# Metrics: the exposition format and registry, process_*, the scrape endpoint,
# and end to end against the real server, promtool and a real Prometheus.
add_library(backinstock_metrics_test_support STATIC metrics/http_client.cc)
target_link_libraries(backinstock_metrics_test_support PUBLIC absl::statusor absl::strings)
target_include_directories(backinstock_metrics_test_support PUBLIC ${PROJECT_SOURCE_DIR})

backinstock_test(metrics_unit_test
  metrics/exposition_test.cc
  metrics/http_endpoint_test.cc
  metrics/process_collector_test.cc
  metrics/registry_test.cc)
target_link_libraries(metrics_unit_test PRIVATE backinstock_metrics_test_support
  backinstock_metrics_http)

add_library(backinstock_prometheus_test_support STATIC metrics/prometheus_server.cc)
target_link_libraries(backinstock_prometheus_test_support PUBLIC backinstock_metrics_test_support
  backinstock_test_support nlohmann_json::nlohmann_json)

backinstock_test(metrics_e2e_test metrics/metrics_e2e_test.cc metrics/metrics_flags_test.cc)
target_link_libraries(metrics_e2e_test PRIVATE backinstock_prometheus_test_support
  backinstock_etcd_test_support)
