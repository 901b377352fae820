# Transport: TLS and mutual TLS with certificates made at test time (openssl
# CLI), and the message, metadata and stream limits.
backinstock_test(transport_test transport/transport_test.cc transport/certificates.cc)
