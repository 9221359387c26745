//
// ApiError.h
//
// A refusal of the operator API: the HTTP status and the body's
// {"error":"<code>","message":"..."}. Thrown by the parsing steps
// (ApiRoute, JsonBody) inside the admin plugin and turned into the
// response by AdminHandler; it never leaves the plugin.
//

#ifndef WEBCHAT_ADMIN_APIERROR_INCLUDED
#define WEBCHAT_ADMIN_APIERROR_INCLUDED

#include <stdexcept>
#include <string>

namespace webchat::admin {

struct ApiError: std::runtime_error
{
	ApiError(int status, std::string code, const std::string& message, std::string allow = {}):
		std::runtime_error(message), status(status), code(std::move(code)), allow(std::move(allow))
	{
	}

	int status;
	std::string code;  // stable, for programs: unauthorized, not_found, invalid_request...
	std::string allow; // 405: the methods the path takes
};

} // namespace webchat::admin

#endif
