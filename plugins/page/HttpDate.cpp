#include "HttpDate.h"

#include "Poco/DateTime.h"
#include "Poco/DateTimeFormat.h"
#include "Poco/DateTimeFormatter.h"

#include <cstring>

namespace webchat {
namespace page {

namespace {

const char* const SHORT_DAYS[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
const char* const LONG_DAYS[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
const char* const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reads a date field by field; every method consumes only on success.
class Scanner
{
public:
	explicit Scanner(const std::string& text): _text(text) {}

	bool literal(const char* expected)
	{
		const std::size_t n = std::strlen(expected);
		if (_text.compare(_pos, n, expected) != 0) return false;
		_pos += n;
		return true;
	}

	bool number(int count, int& value)
	{
		if (_pos + count > _text.size()) return false;
		int result = 0;
		for (int i = 0; i < count; ++i)
		{
			const char c = _text[_pos + i];
			if (c < '0' || c > '9') return false;
			result = result * 10 + (c - '0');
		}
		value = result;
		_pos += count;
		return true;
	}

	/// Index of the name found here, -1 if none. Names are case-sensitive.
	template <std::size_t N>
	int name(const char* const (&names)[N])
	{
		for (std::size_t i = 0; i < N; ++i)
		{
			if (literal(names[i])) return static_cast<int>(i);
		}
		return -1;
	}

	bool time(int& hour, int& minute, int& second)
	{
		return number(2, hour) && literal(":") && number(2, minute) && literal(":") && number(2, second);
	}

	bool atEnd() const { return _pos == _text.size(); }

private:
	const std::string& _text;
	std::size_t _pos = 0;
};

struct Fields
{
	int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool parseImfFixdate(const std::string& text, Fields& f)
{
	Scanner s(text);
	return s.name(SHORT_DAYS) >= 0 && s.literal(", ") && s.number(2, f.day) && s.literal(" ")
		&& (f.month = s.name(MONTHS) + 1) > 0 && s.literal(" ") && s.number(4, f.year) && s.literal(" ")
		&& s.time(f.hour, f.minute, f.second) && s.literal(" GMT") && s.atEnd();
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
bool parseRfc850(const std::string& text, Fields& f)
{
	Scanner s(text);
	int year = 0;
	const bool ok = s.name(LONG_DAYS) >= 0 && s.literal(", ") && s.number(2, f.day) && s.literal("-")
		&& (f.month = s.name(MONTHS) + 1) > 0 && s.literal("-") && s.number(2, year) && s.literal(" ")
		&& s.time(f.hour, f.minute, f.second) && s.literal(" GMT") && s.atEnd();
	// A two-digit year more than 50 years ahead is in the past century
	// (RFC 9110); a fixed pivot is close enough for a cache validator.
	f.year = year < 70 ? 2000 + year : 1900 + year;
	return ok;
}

// "Sun Nov  6 08:49:37 1994"
bool parseAsctime(const std::string& text, Fields& f)
{
	Scanner s(text);
	if (s.name(SHORT_DAYS) < 0 || !s.literal(" ") || (f.month = s.name(MONTHS) + 1) <= 0 || !s.literal(" ")) return false;
	if (s.literal(" "))
	{
		if (!s.number(1, f.day)) return false;
	}
	else if (!s.number(2, f.day))
	{
		return false;
	}
	return s.literal(" ") && s.time(f.hour, f.minute, f.second) && s.literal(" ") && s.number(4, f.year) && s.atEnd();
}

} // namespace

std::string HttpDate::format(const Poco::Timestamp& time)
{
	return Poco::DateTimeFormatter::format(time, Poco::DateTimeFormat::HTTP_FORMAT);
}

bool HttpDate::parse(const std::string& text, Poco::Timestamp& time)
{
	Fields f;
	if (!parseImfFixdate(text, f) && !parseRfc850(text, f) && !parseAsctime(text, f)) return false;
	// Leap seconds are not representable; nobody sends one.
	if (f.year < 1970 || !Poco::DateTime::isValid(f.year, f.month, f.day, f.hour, f.minute, f.second) || f.second > 59) return false;
	time = Poco::DateTime(f.year, f.month, f.day, f.hour, f.minute, f.second).timestamp();
	return true;
}

} } // namespace webchat::page
