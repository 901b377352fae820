# The deployment files are validated offline (no Docker engine runs here).
find_program(DOCKER_COMPOSE docker-compose REQUIRED)
add_test(NAME deploy.docker_compose_config
  COMMAND ${DOCKER_COMPOSE} -f ${PROJECT_SOURCE_DIR}/docker-compose.yml config -q)
add_test(NAME deploy.docker_compose_config_etcd_profile
  COMMAND ${DOCKER_COMPOSE} -f ${PROJECT_SOURCE_DIR}/docker-compose.yml --profile etcd config -q)
