// The error model moved to the common library (common/, included as
// "backinstock/errors/error.h"), which the client uses too. This header only
// forwards there for the two files that are being rewritten on another branch
// (notification_request_report.cc, json_lines_notifier.cc); delete it once
// they include the new path.
#ifndef BACKINSTOCK_SERVER_ERRORS_ERROR_H_
#define BACKINSTOCK_SERVER_ERRORS_ERROR_H_

#include "backinstock/errors/error.h"

#endif  // BACKINSTOCK_SERVER_ERRORS_ERROR_H_
