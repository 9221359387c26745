#include "RequestHead.h"

// inet_pton: <arpa/inet.h> on Linux, Winsock's <ws2tcpip.h> on Windows.
#include "Poco/Net/Net.h" // first: SocketDefs.h needs the platform it sets
#include "Poco/Net/SocketDefs.h"

#include <algorithm>
#include <cstring>

namespace webchat {

namespace {

bool isDigit(char c)
{
	return c >= '0' && c <= '9';
}

bool isAlpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isHexDigit(char c)
{
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// tchar (RFC 9110 5.6.2): the characters of methods, field names and list
// elements such as transfer codings.
bool isTokenChar(char c)
{
	if (isDigit(c) || isAlpha(c)) return true;
	return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isToken(std::string_view text)
{
	return !text.empty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

// RFC 3986 unreserved and sub-delims: what a reg-name holds besides
// percent-encodings.
bool isRegNameChar(char c)
{
	if (isDigit(c) || isAlpha(c)) return true;
	return std::strchr("-._~!$&'()*+,;=", c) != nullptr && c != '\0';
}

char toLowerAscii(char c)
{
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Field names, connection options and transfer codings are compared
// without regard to (ASCII) case.
bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
	if (a.size() != b.size()) return false;
	for (std::size_t i = 0; i < a.size(); ++i)
	{
		if (toLowerAscii(a[i]) != toLowerAscii(b[i])) return false;
	}
	return true;
}

bool isOptionalWhitespace(char c)
{
	return c == ' ' || c == '\t';
}

std::string_view trimmed(std::string_view text)
{
	while (!text.empty() && isOptionalWhitespace(text.front())) text.remove_prefix(1);
	while (!text.empty() && isOptionalWhitespace(text.back())) text.remove_suffix(1);
	return text;
}

// Calls visit(element) for each element of a comma-separated list field
// (RFC 9110 5.6.1), whitespace around it trimmed, empty elements skipped.
template <class Visit>
void forEachListElement(std::string_view value, Visit visit)
{
	while (!value.empty())
	{
		const std::size_t comma = value.find(',');
		const std::string_view element = trimmed(value.substr(0, comma));
		if (!element.empty()) visit(element);
		if (comma == std::string_view::npos) break;
		value.remove_prefix(comma + 1);
	}
}

// "%" HEXDIG HEXDIG at text[at].
bool isPercentEncoding(std::string_view text, std::size_t at)
{
	return at + 2 < text.size() && isHexDigit(text[at + 1]) && isHexDigit(text[at + 2]);
}

// 1.0 → 0, 1.1 → 1; another HTTP/x.y → BadVersion; anything else → BadRequestLine.
std::optional<HeadError> checkVersion(std::string_view version, int& minor)
{
	if (version == "HTTP/1.1")
	{
		minor = 1;
		return std::nullopt;
	}
	if (version == "HTTP/1.0")
	{
		minor = 0;
		return std::nullopt;
	}
	constexpr std::string_view name = "HTTP/";
	if (version.substr(0, name.size()) != name) return HeadError::BadRequestLine;
	const std::string_view number = version.substr(name.size());
	const std::size_t dot = number.find('.');
	if (dot == std::string_view::npos) return HeadError::BadRequestLine;
	const std::string_view major = number.substr(0, dot);
	const std::string_view minorDigits = number.substr(dot + 1);
	const auto digits = [](std::string_view part) { return !part.empty() && std::all_of(part.begin(), part.end(), isDigit); };
	return digits(major) && digits(minorDigits) ? HeadError::BadVersion : HeadError::BadRequestLine;
}

// Origin-form, or "*" for OPTIONS. Absolute-form (a proxy's) and
// authority-form (CONNECT's) are refused: webchatd is neither a proxy nor a
// tunnel. Every byte is visible ASCII and every '%' starts a
// percent-encoding; '#' (a fragment is never sent) is refused too. RFC
// 3986 excludes also " < > \ ^ ` { | }, which browsers send unencoded in
// queries, so those pass: handlers decode the target strictly themselves.
bool isServedTarget(std::string_view method, std::string_view target)
{
	if (target == "*") return method == "OPTIONS";
	if (target.empty() || target.front() != '/') return false;
	for (std::size_t i = 0; i < target.size(); ++i)
	{
		const char c = target[i];
		if (c < 0x21 || c > 0x7e || c == '#') return false;
		if (c == '%' && !isPercentEncoding(target, i)) return false;
	}
	return true;
}

// A field value (RFC 9110 5.5): visible characters, obs-text (bytes from
// 0x80), SP and HTAB; never NUL, CR, LF, DEL or another control.
bool isFieldValue(std::string_view value)
{
	for (const char c : value)
	{
		const auto byte = static_cast<unsigned char>(c);
		if (byte == '\t') continue;
		if (byte < 0x20 || byte == 0x7f) return false;
	}
	return true;
}

// An IPv6 address between the brackets of an IP-literal; IPvFuture and zone
// identifiers are refused.
bool isIpv6Address(std::string_view literal)
{
	char text[INET6_ADDRSTRLEN];
	if (literal.empty() || literal.size() >= sizeof text) return false;
	if (!std::all_of(literal.begin(), literal.end(), [](char c) { return isHexDigit(c) || c == ':' || c == '.'; })) return false;
	literal.copy(text, literal.size());
	text[literal.size()] = '\0';
	in6_addr address;
	return ::inet_pton(AF_INET6, text, &address) == 1;
}

// Host = uri-host [ ":" port ] (RFC 9110 7.2), uri-host being an
// IP-literal ("[::1]") or a reg-name (RFC 3986 3.2.2: unreserved,
// sub-delims, percent-encodings; an IPv4 address is one). Stricter than RFC
// 3986 in two places, both never needed by an http URI: the host may not
// be empty (RFC 9110 4.2.1) and a colon must be followed by a port.
bool parseHost(std::string_view value, std::string_view& host, std::optional<std::uint16_t>& port)
{
	std::string_view rest;
	if (!value.empty() && value.front() == '[')
	{
		const std::size_t close = value.find(']');
		if (close == std::string_view::npos || !isIpv6Address(value.substr(1, close - 1))) return false;
		host = value.substr(0, close + 1);
		rest = value.substr(close + 1);
	}
	else
	{
		const std::size_t colon = value.find(':');
		host = value.substr(0, colon);
		if (colon != std::string_view::npos) rest = value.substr(colon);
		if (host.empty()) return false;
		for (std::size_t i = 0; i < host.size(); ++i)
		{
			if (host[i] == '%' ? !isPercentEncoding(host, i) : !isRegNameChar(host[i])) return false;
		}
	}
	if (rest.empty()) return true;
	if (rest.front() != ':') return false;
	const std::string_view digits = rest.substr(1);
	if (digits.empty() || digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), isDigit)) return false;
	unsigned number = 0;
	for (const char c : digits) number = number * 10 + static_cast<unsigned>(c - '0');
	if (number > 65535) return false;
	port = static_cast<std::uint16_t>(number);
	return true;
}

// Content-Length = 1*DIGIT, which must fit in 64 bits.
bool parseLength(std::string_view value, std::uint64_t& length)
{
	if (value.empty()) return false;
	std::uint64_t number = 0;
	for (const char c : value)
	{
		if (!isDigit(c)) return false;
		const auto digit = static_cast<std::uint64_t>(c - '0');
		if (number > (UINT64_MAX - digit) / 10) return false;
		number = number * 10 + digit;
	}
	length = number;
	return true;
}

class HeadErrorCategory: public std::error_category
{
public:
	const char* name() const noexcept override { return "webchat.http"; }

	std::string message(int value) const override { return reasonOf(static_cast<HeadError>(value)); }
};

} // namespace

int httpStatus(HeadError error)
{
	switch (error)
	{
	case HeadError::HeadTooLarge:
	case HeadError::TooManyHeaders:
		return 431;
	case HeadError::BadVersion:
		return 505;
	case HeadError::UnsupportedTransferCoding:
		return 501;
	case HeadError::BadLineEnding:
	case HeadError::BadRequestLine:
	case HeadError::BadTarget:
	case HeadError::MissingHost:
	case HeadError::DuplicateHost:
	case HeadError::BadHost:
	case HeadError::ConflictingLength:
	case HeadError::DuplicateLength:
	case HeadError::BadLength:
	case HeadError::BadTransferEncoding:
	case HeadError::ObsFold:
	case HeadError::BadHeaderName:
	case HeadError::BadHeaderValue:
		break;
	}
	return 400;
}

const char* reasonOf(HeadError error)
{
	switch (error)
	{
	case HeadError::BadLineEnding: return "bare LF line ending";
	case HeadError::HeadTooLarge: return "request head too large";
	case HeadError::BadRequestLine: return "malformed request line";
	case HeadError::BadTarget: return "request target not served";
	case HeadError::BadVersion: return "HTTP version not supported";
	case HeadError::MissingHost: return "missing Host";
	case HeadError::DuplicateHost: return "duplicate Host";
	case HeadError::BadHost: return "malformed Host";
	case HeadError::ConflictingLength: return "Transfer-Encoding with Content-Length";
	case HeadError::DuplicateLength: return "duplicate Content-Length";
	case HeadError::BadLength: return "malformed Content-Length";
	case HeadError::BadTransferEncoding: return "malformed Transfer-Encoding";
	case HeadError::UnsupportedTransferCoding: return "transfer coding not implemented";
	case HeadError::ObsFold: return "obsolete line folding";
	case HeadError::BadHeaderName: return "malformed field name";
	case HeadError::BadHeaderValue: return "control character in field value";
	case HeadError::TooManyHeaders: return "too many header fields";
	}
	return "malformed request head";
}

const std::error_category& headErrorCategory()
{
	static const HeadErrorCategory category;
	return category;
}

std::error_code make_error_code(HeadError error)
{
	return {static_cast<int>(error), headErrorCategory()};
}

HeadBoundary RequestHead::find(const char* data, std::size_t size, const HeadLimits& limits, std::size_t scanned)
{
	HeadBoundary boundary;
	const std::size_t end = std::min(size, limits.maxHeadBytes);
	// The last three bytes scanned may begin the final "\r\n\r\n".
	std::size_t from = std::min(scanned > 3 ? scanned - 3 : 0, end);
	while (from < end)
	{
		const void* found = std::memchr(data + from, '\n', end - from);
		if (!found) break;
		const std::size_t lineFeed = static_cast<std::size_t>(static_cast<const char*>(found) - data);
		if (lineFeed == 0 || data[lineFeed - 1] != '\r')
		{
			boundary.status = HeadBoundary::Status::Refused;
			boundary.error = HeadError::BadLineEnding;
			return boundary;
		}
		// The LF before this CR was checked to follow a CR already.
		if (lineFeed >= 3 && data[lineFeed - 2] == '\n')
		{
			boundary.status = HeadBoundary::Status::Complete;
			boundary.length = lineFeed + 1;
			return boundary;
		}
		from = lineFeed + 1;
	}
	if (size > limits.maxHeadBytes)
	{
		boundary.status = HeadBoundary::Status::Refused;
		boundary.error = HeadError::HeadTooLarge;
	}
	return boundary;
}

HeadParse RequestHead::parse(std::string_view head, const HeadLimits& limits)
{
	// Exactly one head, every line ending in CRLF: find()'s rules, so the
	// two never disagree.
	const HeadBoundary boundary = find(head.data(), head.size(), limits);
	if (boundary.status == HeadBoundary::Status::Refused) return boundary.error;
	if (boundary.status == HeadBoundary::Status::Incomplete || boundary.length != head.size()) return HeadError::BadRequestLine;

	RequestHead parsed;
	std::size_t lineStart = 0;
	const auto nextLine = [&head, &lineStart]() {
		const std::size_t lineFeed = head.find('\n', lineStart);
		const std::string_view line = head.substr(lineStart, lineFeed - 1 - lineStart);
		lineStart = lineFeed + 1;
		return line;
	};

	// request-line = method SP request-target SP HTTP-version (RFC 9112 3),
	// single spaces only.
	const std::string_view requestLine = nextLine();
	const std::size_t firstSpace = requestLine.find(' ');
	if (firstSpace == std::string_view::npos) return HeadError::BadRequestLine;
	const std::size_t secondSpace = requestLine.find(' ', firstSpace + 1);
	if (secondSpace == std::string_view::npos) return HeadError::BadRequestLine;
	parsed._method = requestLine.substr(0, firstSpace);
	parsed._target = requestLine.substr(firstSpace + 1, secondSpace - firstSpace - 1);
	if (!isToken(parsed._method) || parsed._target.empty()) return HeadError::BadRequestLine;
	if (const auto refused = checkVersion(requestLine.substr(secondSpace + 1), parsed._minorVersion)) return *refused;
	if (!isServedTarget(parsed._method, parsed._target)) return HeadError::BadTarget;

	// field-line = field-name ":" OWS field-value OWS (RFC 9112 5).
	parsed._fields.reserve(16);
	for (std::string_view line = nextLine(); !line.empty(); line = nextLine())
	{
		if (parsed._fields.size() == limits.maxFields) return HeadError::TooManyHeaders;
		if (isOptionalWhitespace(line.front())) return HeadError::ObsFold;
		const std::size_t colon = line.find(':');
		if (colon == std::string_view::npos) return HeadError::BadHeaderName;
		const std::string_view name = line.substr(0, colon);
		if (!isToken(name)) return HeadError::BadHeaderName;
		const std::string_view value = trimmed(line.substr(colon + 1));
		if (!isFieldValue(value)) return HeadError::BadHeaderValue;
		parsed._fields.push_back({name, value});
	}

	std::size_t hosts = 0;
	std::size_t lengths = 0;
	std::size_t transferEncodings = 0;
	std::string_view hostValue;
	std::string_view lengthValue;
	for (const HeaderField& field : parsed._fields)
	{
		if (equalsIgnoringCase(field.name, "host"))
		{
			if (++hosts == 1) hostValue = field.value;
		}
		else if (equalsIgnoringCase(field.name, "content-length"))
		{
			if (++lengths == 1) lengthValue = field.value;
		}
		else if (equalsIgnoringCase(field.name, "transfer-encoding"))
		{
			++transferEncodings;
		}
		else if (equalsIgnoringCase(field.name, "connection"))
		{
			forEachListElement(field.value, [&parsed](std::string_view option) {
				if (equalsIgnoringCase(option, "close")) parsed._connectionClose = true;
				if (equalsIgnoringCase(option, "keep-alive")) parsed._connectionKeepAlive = true;
				if (equalsIgnoringCase(option, "upgrade")) parsed._connectionUpgrade = true;
			});
		}
		else if (equalsIgnoringCase(field.name, "upgrade") && parsed._upgrade.empty())
		{
			parsed._upgrade = field.value;
		}
	}

	// RFC 9112 3.2: one valid Host in every HTTP/1.1 request.
	if (hosts > 1) return HeadError::DuplicateHost;
	if (hosts == 0 && parsed._minorVersion == 1) return HeadError::MissingHost;
	if (hosts == 1 && !parseHost(hostValue, parsed._host, parsed._port)) return HeadError::BadHost;

	// RFC 9112 6.1 and 6.3: the body's length must be beyond doubt. One
	// Content-Length; or Transfer-Encoding in HTTP/1.1 that ends in chunked,
	// applied once, and no Content-Length. The only coding understood is
	// chunked.
	if (transferEncodings > 0)
	{
		if (lengths > 0) return HeadError::ConflictingLength;
		if (parsed._minorVersion == 0) return HeadError::BadTransferEncoding;
		bool chunkedSeen = false;
		bool malformed = false;
		bool otherCoding = false;
		for (const HeaderField& field : parsed._fields)
		{
			if (!equalsIgnoringCase(field.name, "transfer-encoding")) continue;
			forEachListElement(field.value, [&](std::string_view coding) {
				if (chunkedSeen || !isToken(coding)) malformed = true;
				if (equalsIgnoringCase(coding, "chunked"))
					chunkedSeen = true;
				else
					otherCoding = true;
			});
		}
		if (malformed || !chunkedSeen) return HeadError::BadTransferEncoding;
		if (otherCoding) return HeadError::UnsupportedTransferCoding;
		parsed._chunked = true;
	}
	if (lengths > 1) return HeadError::DuplicateLength;
	if (lengths == 1)
	{
		std::uint64_t length = 0;
		if (!parseLength(lengthValue, length)) return HeadError::BadLength;
		parsed._contentLength = length;
	}
	return parsed;
}

std::optional<std::string_view> RequestHead::field(std::string_view name) const
{
	for (const HeaderField& field : _fields)
	{
		if (equalsIgnoringCase(field.name, name)) return field.value;
	}
	return std::nullopt;
}

bool RequestHead::keepAlive() const
{
	if (_connectionClose) return false;
	return _minorVersion == 1 || _connectionKeepAlive;
}

} // namespace webchat
