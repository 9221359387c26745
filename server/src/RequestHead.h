//
// RequestHead.h
//
// One HTTP/1.1 request head (request line and header fields up to the empty
// line), found in the bytes read so far and parsed strictly by RFC 9112 and
// RFC 9110, before any handler sees the request.
//
// Our own rather than POCO's HTTPRequest::read, for two reasons. That one
// reads from a blocking stream, so a client that sends its head a byte a
// minute holds a worker thread (slowloris); these are pure functions on a
// buffer the caller fills without blocking. And it is lenient where leniency
// lets a request mean one thing here and another to a proxy in front (request
// smuggling): it accepts obs-fold, NUL and other controls in values, any
// version, several Content-Length fields, Transfer-Encoding with
// Content-Length, several Host fields. Here each of those is a refusal with
// its own HeadError, which names the status to answer (400, 431, 501, 505).
//
// Neither function allocates, except parse() for the vector of fields.
//

#ifndef WEBCHAT_REQUESTHEAD_INCLUDED
#define WEBCHAT_REQUESTHEAD_INCLUDED

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace webchat {

/// Why a request head is refused. Each maps to one status (httpStatus())
/// and a short reason (reasonOf()); it is also a std::error_code
/// (category "webchat.http"), whose message() is the reason.
enum class HeadError
{
	BadLineEnding = 1,         // 400: a line ends in a bare LF (RFC 9112 2.2)
	HeadTooLarge,              // 431: no end of the head within max_head_bytes
	BadRequestLine,            // 400: not "method SP target SP version", or the method is not a token
	BadTarget,                 // 400: a target we do not serve (not origin-form, nor * for OPTIONS) or with bytes a URI may not hold
	BadVersion,                // 505: HTTP/x.y other than 1.0 and 1.1
	MissingHost,               // 400: HTTP/1.1 without Host (RFC 9112 3.2)
	DuplicateHost,             // 400: more than one Host field
	BadHost,                   // 400: Host is not host[:port] (RFC 3986 reg-name, IPv4 or [IPv6])
	ConflictingLength,         // 400: Transfer-Encoding and Content-Length together (RFC 9112 6.1)
	DuplicateLength,           // 400: two Content-Length fields, even equal ones
	BadLength,                 // 400: Content-Length is not one decimal number
	BadTransferEncoding,       // 400: chunked is not the final coding, or is applied twice, or HTTP/1.0
	UnsupportedTransferCoding, // 501: a transfer coding other than chunked (RFC 9112 6.1)
	ObsFold,                   // 400: a field line starts with SP or HTAB (RFC 9112 5.2)
	BadHeaderName,             // 400: a field name that is not a token, or space before the colon
	BadHeaderValue,            // 400: NUL, CR, LF or another control but HTAB in a value
	TooManyHeaders             // 431: more than max_fields field lines
};

/// The status code to answer a refused head with: 400, 431, 501 or 505.
int httpStatus(HeadError error);

/// A short reason for the log and the error page ("duplicate Content-Length").
const char* reasonOf(HeadError error);

const std::error_category& headErrorCategory();

std::error_code make_error_code(HeadError error);

/// What the parser accepts.
struct HeadLimits
{
	/// The whole head, request line to the empty line, its CRLFs included.
	std::size_t maxHeadBytes = 16384;
	/// Field lines (each line counts, Host included).
	std::size_t maxFields = 100;
};

/// One field line: views into the head, name as sent (compare without
/// regard to case), value without the whitespace around it.
struct HeaderField
{
	std::string_view name;
	std::string_view value;
};

/// Where a head ends in the bytes received so far: find()'s answer.
struct HeadBoundary
{
	enum class Status
	{
		Incomplete, // no end yet, and still within the limit: read more
		Complete,   // the head is the first `length` bytes
		Refused     // answer httpStatus(error) and close
	};

	Status status = Status::Incomplete;
	/// Complete: the bytes of the head, its final CRLF CRLF included.
	std::size_t length = 0;
	/// Refused: BadLineEnding or HeadTooLarge.
	HeadError error = HeadError::HeadTooLarge;
};

class HeadParse;

/// A parsed request head. Every view points into the buffer given to
/// parse(): the head lives as long as that buffer does, unchanged.
class RequestHead
{
public:
	/// Looks for the end of the head ("\r\n\r\n") in data[0, size).
	/// Refuses a bare LF before it (BadLineEnding) and a head that has not
	/// ended within limits.maxHeadBytes (HeadTooLarge), as soon as the bytes
	/// received show it. `scanned` is the size of an earlier call on the
	/// same buffer that answered Incomplete: scanning resumes just before
	/// it, so a head that arrives a byte at a time costs O(size) over all
	/// calls, not O(size²).
	static HeadBoundary find(const char* data, std::size_t size, const HeadLimits& limits, std::size_t scanned = 0);

	/// Parses one complete head, as find() delimits it (the request line
	/// first, "\r\n\r\n" last; leading empty lines are refused, not skipped).
	static HeadParse parse(std::string_view head, const HeadLimits& limits);

	/// A token, as sent ("GET"); methods are case-sensitive.
	std::string_view method() const { return _method; }
	/// Origin-form ("/chat?room=lobby"), or "*" for OPTIONS.
	std::string_view target() const { return _target; }
	/// 0 for HTTP/1.0, 1 for HTTP/1.1.
	int minorVersion() const { return _minorVersion; }

	/// Every field line in the order received.
	const std::vector<HeaderField>& fields() const { return _fields; }
	/// The value of the first field of that name (compared without regard
	/// to case); nothing when there is none.
	std::optional<std::string_view> field(std::string_view name) const;

	/// The Host field's host: a reg-name or IPv4 address as sent, or an IPv6
	/// address with its brackets; empty only for HTTP/1.0 without Host.
	std::string_view host() const { return _host; }
	/// The Host field's port, when it names one.
	std::optional<std::uint16_t> port() const { return _port; }

	/// Content-Length, when the request has one.
	std::optional<std::uint64_t> contentLength() const { return _contentLength; }
	/// Transfer-Encoding: chunked (then there is no Content-Length).
	bool chunked() const { return _chunked; }

	/// Whether the connection stays open after this request: HTTP/1.1
	/// without "Connection: close", HTTP/1.0 with "Connection: keep-alive".
	bool keepAlive() const;
	/// Connection lists "upgrade" and an Upgrade field names a protocol.
	bool upgradeRequested() const { return _connectionUpgrade && !_upgrade.empty(); }
	/// The Upgrade field's value ("websocket"); empty when there is none.
	std::string_view upgrade() const { return _upgrade; }

private:
	std::string_view _method;
	std::string_view _target;
	int _minorVersion = 1;
	std::vector<HeaderField> _fields;
	std::string_view _host;
	std::optional<std::uint16_t> _port;
	std::optional<std::uint64_t> _contentLength;
	bool _chunked = false;
	bool _connectionClose = false;
	bool _connectionKeepAlive = false;
	bool _connectionUpgrade = false;
	std::string_view _upgrade;
};

/// RequestHead::parse()'s answer: a head, or why it was refused.
class HeadParse
{
public:
	HeadParse(RequestHead head): _head(std::move(head)) {}
	HeadParse(HeadError error): _error(error) {}

	bool ok() const { return !_error; }
	/// When !ok().
	HeadError error() const { return *_error; }
	/// When ok().
	const RequestHead& head() const { return _head; }

private:
	RequestHead _head;
	std::optional<HeadError> _error;
};

} // namespace webchat

namespace std {
template <>
struct is_error_code_enum<webchat::HeadError>: true_type
{
};
} // namespace std

#endif
