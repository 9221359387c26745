#include "webchat/engine/PerMessageDeflate.h"

#include <cstddef>

namespace webchat::ws {

namespace {

// The window the server compresses with (zlib's largest, 32 KiB).
constexpr int ServerWindowBits = 15;

bool isTokenChar(char c)
{
	// RFC 7230 3.2.6: any visible ASCII but the separators.
	if (c <= 0x20 || c >= 0x7F) return false;
	for (const char separator : std::string_view("()<>@,;:\\\"/[]?={}")) if (c == separator) return false;
	return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
	if (a.size() != b.size()) return false;
	for (std::size_t i = 0; i < a.size(); ++i)
	{
		const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
		if (lower(a[i]) != lower(b[i])) return false;
	}
	return true;
}

// Reads the header left to right; each read skips the optional white space
// before it.
class Reader
{
public:
	explicit Reader(std::string_view text): _rest(text) {}

	bool atEnd()
	{
		skipSpace();
		return _rest.empty();
	}

	bool take(char c)
	{
		skipSpace();
		if (_rest.empty() || _rest.front() != c) return false;
		_rest.remove_prefix(1);
		return true;
	}

	bool peek(char c)
	{
		skipSpace();
		return !_rest.empty() && _rest.front() == c;
	}

	// A token; empty when there is none.
	std::string_view token()
	{
		skipSpace();
		std::size_t n = 0;
		while (n < _rest.size() && isTokenChar(_rest[n])) ++n;
		const std::string_view word = _rest.substr(0, n);
		_rest.remove_prefix(n);
		return word;
	}

	// A token or a quoted-string, unquoted; false on bad syntax.
	bool value(std::string& out)
	{
		skipSpace();
		out.clear();
		if (_rest.empty() || _rest.front() != '"')
		{
			out = std::string(token());
			return !out.empty();
		}
		_rest.remove_prefix(1);
		while (!_rest.empty() && _rest.front() != '"')
		{
			char c = _rest.front();
			_rest.remove_prefix(1);
			if (c == '\\')
			{
				if (_rest.empty()) return false;
				c = _rest.front();
				_rest.remove_prefix(1);
			}
			out.push_back(c);
		}
		if (_rest.empty()) return false;
		_rest.remove_prefix(1);
		return true;
	}

private:
	void skipSpace()
	{
		while (!_rest.empty() && (_rest.front() == ' ' || _rest.front() == '\t')) _rest.remove_prefix(1);
	}

	std::string_view _rest;
};

// 8-15, no leading zero; 0 when value is anything else.
int windowBits(const std::string& value)
{
	if (value.size() == 1 && value[0] >= '8' && value[0] <= '9') return value[0] - '0';
	if (value.size() == 2 && value[0] == '1' && value[1] >= '0' && value[1] <= '5') return 10 + (value[1] - '0');
	return 0;
}

// Applies one parameter to offer; false makes the offer invalid.
bool applyParameter(DeflateOffer& offer, std::string_view name, bool hasValue, const std::string& value)
{
	if (name == "server_no_context_takeover")
	{
		if (hasValue || offer.serverNoContextTakeover) return false;
		offer.serverNoContextTakeover = true;
		return true;
	}
	if (name == "client_no_context_takeover")
	{
		if (hasValue || offer.clientNoContextTakeover) return false;
		offer.clientNoContextTakeover = true;
		return true;
	}
	if (name == "server_max_window_bits")
	{
		if (!hasValue || offer.serverMaxWindowBits != 0) return false;
		offer.serverMaxWindowBits = windowBits(value);
		return offer.serverMaxWindowBits != 0;
	}
	if (name == "client_max_window_bits")
	{
		if (offer.clientMaxWindowBits != 0) return false;
		offer.clientMaxWindowBits = hasValue ? windowBits(value) : DeflateOffer::ClientWindowAnySize;
		return offer.clientMaxWindowBits != 0;
	}
	return false;
}

} // namespace

std::vector<DeflateOffer> parseDeflateOffers(std::string_view extensionsHeader)
{
	std::vector<DeflateOffer> offers;
	Reader reader(extensionsHeader);
	std::string value;
	do
	{
		// Empty list elements (", ,") are allowed by the list syntax.
		if (reader.peek(',')) continue;
		if (reader.atEnd()) break;
		const std::string_view name = reader.token();
		if (name.empty()) return {};
		const bool isDeflate = equalsIgnoreCase(name, "permessage-deflate");
		DeflateOffer offer;
		bool valid = true;
		while (reader.take(';'))
		{
			const std::string_view parameter = reader.token();
			if (parameter.empty()) return {};
			const bool hasValue = reader.take('=');
			if (hasValue && !reader.value(value)) return {};
			// A quoted value must still be a token (RFC 6455 9.1).
			if (hasValue)
				for (const char c : value) if (!isTokenChar(c)) return {};
			if (isDeflate && valid) valid = applyParameter(offer, parameter, hasValue, hasValue ? value : std::string());
		}
		if (!reader.peek(',') && !reader.atEnd()) return {};
		if (isDeflate && valid) offers.push_back(offer);
	} while (reader.take(','));
	if (!reader.atEnd()) return {};
	return offers;
}

std::optional<std::string> acceptDeflate(std::string_view extensionsHeader)
{
	for (const DeflateOffer& offer : parseDeflateOffers(extensionsHeader))
	{
		// The server's window is fixed; a client that cannot take it is
		// better served by its next offer, or uncompressed.
		if (offer.serverMaxWindowBits != 0 && offer.serverMaxWindowBits < ServerWindowBits) continue;
		std::string response = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
		// Accepting a window limit means naming it (RFC 7692 7.1.2.1).
		if (offer.serverMaxWindowBits != 0) response += "; server_max_window_bits=" + std::to_string(ServerWindowBits);
		return response;
	}
	return std::nullopt;
}

} // namespace webchat::ws
