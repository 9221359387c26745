#include "ChatEvent.h"

#include "Poco/Exception.h"
#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"

#include <cstring>
#include <exception>

namespace webchat::bench {

namespace {

// Every delivery goes through the code below, so it compares and scans
// whole words where it can: byte by byte, parsing cost a fifth of the
// benchmark's time per delivery.

// Eight bytes as a word whose lowest byte is the first in memory.
inline std::uint64_t load8(const char* p)
{
	std::uint64_t v;
	std::memcpy(&v, p, 8);
	if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) v = __builtin_bswap64(v);
	return v;
}

// Sixteen bytes as one vector (GCC's and Clang's vector extension: SSE2 on
// x86-64, NEON on ARM).
using Bytes16 = unsigned char __attribute__((vector_size(16)));

// Where the first of the 16 bytes at p that ends a plain string is ('"',
// '\\' or a control character below 0x20): 0-15, or 16 when none does.
// The comparison's two halves are searched for their first non-zero byte,
// so no byte of the block is looked at twice.
inline unsigned firstStopByte16(const char* p)
{
	Bytes16 v;
	std::memcpy(&v, p, sizeof v);
	const auto stop = (v == '"') | (v == '\\') | (v < 0x20);
	std::uint64_t halves[2];
	std::memcpy(halves, &stop, sizeof halves);
	if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
	{
		halves[0] = __builtin_bswap64(halves[0]);
		halves[1] = __builtin_bswap64(halves[1]);
	}
	if (halves[0] != 0) return static_cast<unsigned>(__builtin_ctzll(halves[0])) / 8;
	if (halves[1] != 0) return 8 + static_cast<unsigned>(__builtin_ctzll(halves[1])) / 8;
	return 16;
}

// Reads the exact layout the server writes. Every method either consumes
// what it expects and returns true, or returns false (the caller then gives
// the whole frame to Poco::JSON). Methods keep the position in a local
// variable and store it back once, so their loops stay in registers.
class Cursor
{
public:
	explicit Cursor(std::string_view text): _p(text.data()), _end(text.data() + text.size()) {}

	bool atEnd() const { return _p == _end; }

	/// A string literal, compared as words: its length is a constant.
	template <std::size_t Size>
	bool literal(const char (&expected)[Size])
	{
		constexpr std::size_t length = Size - 1;
		if (static_cast<std::size_t>(_end - _p) < length) return false;
		bool same = true;
		if constexpr (length >= 8)
		{
			for (std::size_t i = 0; i + 8 <= length; i += 8) same &= load8(_p + i) == load8(expected + i);
			if constexpr (length % 8 != 0) same &= load8(_p + length - 8) == load8(expected + length - 8);
		}
		else
		{
			for (std::size_t i = 0; i < length; ++i) same &= _p[i] == expected[i];
		}
		if (!same) return false;
		_p += length;
		return true;
	}

	bool next(char expected)
	{
		if (_p == _end || *_p != expected) return false;
		++_p;
		return true;
	}

	/// A JSON string without escapes; out is its content. The frame is a
	/// text message, so the WebSocket layer has checked it is UTF-8.
	bool string(std::string_view& out)
	{
		if (!next('"')) return false;
		const char* const start = _p;
		const char* p = _p;
		// Whole blocks while 16 bytes remain: the block with the first stop
		// byte says where it is. Only a string that ends within the
		// frame's last 16 bytes is finished byte by byte below.
		while (_end - p >= 16)
		{
			const unsigned at = firstStopByte16(p);
			if (at == 16)
			{
				p += 16;
				continue;
			}
			if (p[at] != '"') return false;
			out = std::string_view(start, static_cast<std::size_t>(p + at - start));
			_p = p + at + 1;
			return true;
		}
		for (; p < _end; ++p)
		{
			const auto c = static_cast<unsigned char>(*p);
			if (c == '"')
			{
				out = std::string_view(start, static_cast<std::size_t>(p - start));
				_p = p + 1;
				return true;
			}
			if (c == '\\' || c < 0x20) return false;
		}
		return false;
	}

	/// A non-negative JSON integer (no sign, fraction, exponent or leading
	/// zero) of at most 19 digits, so it fits. (A plain loop: eight digits
	/// at a time took more instructions for numbers this short.)
	bool whole(std::uint64_t& out)
	{
		const char* p = _p;
		const char* const last = static_cast<std::size_t>(_end - p) > 19 ? p + 19 : _end;
		if (p == last || static_cast<unsigned char>(*p - '0') > 9) return false;
		std::uint64_t value = static_cast<std::uint64_t>(*p - '0');
		if (value == 0)
			++p;
		else
		{
			for (++p; p < last && static_cast<unsigned char>(*p - '0') <= 9; ++p)
				value = value * 10 + static_cast<std::uint64_t>(*p - '0');
		}
		// A leading zero, or a twentieth digit: not a number the server writes.
		if (p < _end && static_cast<unsigned char>(*p - '0') <= 9) return false;
		_p = p;
		out = value;
		return true;
	}

private:
	const char* _p;
	const char* _end;
};

// ,"nick":"..",["from":"..",]["verified":true,]"text":"..","ts":N}  (what
// follows a message's id; from and verified as the server writes them when
// it knows the speaker)
inline bool messageTail(Cursor& in, std::string_view& nick, std::string_view& text, std::uint64_t& ts)
{
	if (!in.literal(",\"nick\":") || !in.string(nick)) return false;
	std::string_view from;
	if (in.literal(",\"from\":") && !in.string(from)) return false;
	in.literal(",\"verified\":true");
	return in.literal(",\"text\":") && in.string(text) && in.literal(",\"ts\":") && in.whole(ts) && in.next('}');
}

bool historyEntry(Cursor& in, ChatEvent& event)
{
	std::uint64_t id = 0, ts = 0;
	std::string_view nick, text;
	if (!in.literal("{\"type\":\"message\",\"id\":") || !in.whole(id) || !messageTail(in, nick, text, ts)) return false;
	event.historyIds.push_back(id);
	return true;
}

bool welcomeBody(Cursor& in, ChatEvent& event)
{
	if (!in.literal(",\"room\":") || !in.string(event.room) || !in.literal(",\"nick\":") || !in.string(event.nick) ||
		!in.literal(",\"users\":["))
		return false;
	if (!in.next(']'))
	{
		do
		{
			std::string_view user;
			if (!in.string(user)) return false;
			event.users.push_back(user);
		} while (in.next(','));
		if (!in.next(']')) return false;
	}
	if (!in.literal(",\"history\":[")) return false;
	if (!in.next(']'))
	{
		do
		{
			if (!historyEntry(in, event)) return false;
		} while (in.next(','));
		if (!in.next(']')) return false;
	}
	if (!in.literal(",\"lastId\":") || !in.whole(event.lastId)) return false;
	if (in.literal(",\"epoch\":") && !in.string(event.epoch)) return false;
	if (in.literal(",\"gap\":{\"from\":"))
	{
		event.hasGap = true;
		if (!in.whole(event.gapFrom) || !in.literal(",\"to\":") || !in.whole(event.gapTo) || !in.next('}')) return false;
	}
	if (in.literal(",\"reset\":true")) event.reset = true;
	return in.next('}');
}

// Poco::JSON's view of an event: any valid JSON layout, strings decoded.
class PocoReader
{
public:
	PocoReader(std::deque<std::string>& storage, std::string& problem): _storage(storage), _problem(problem) {}

	bool read(std::string_view json, ChatEvent& event)
	{
		event.clear();
		_storage.clear();
		try
		{
			Poco::JSON::Parser parser;
			const Poco::Dynamic::Var parsed = parser.parse(std::string(json));
			if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return fail("not a JSON object");
			return readEvent(*parsed.extract<Poco::JSON::Object::Ptr>(), event);
		}
		catch (const Poco::Exception& error)
		{
			return fail("not JSON (" + error.displayText() + ")");
		}
		catch (const std::exception& error)
		{
			return fail(std::string("unreadable (") + error.what() + ")");
		}
	}

private:
	bool fail(std::string problem)
	{
		_problem = std::move(problem);
		return false;
	}

	bool string(const Poco::JSON::Object& object, const std::string& name, std::string_view& out)
	{
		const Poco::Dynamic::Var value = object.get(name);
		if (value.isEmpty() || !value.isString()) return fail("no string \"" + name + "\"");
		_storage.push_back(value.extract<std::string>());
		out = _storage.back();
		return true;
	}

	bool whole(const Poco::Dynamic::Var& value, const std::string& name, std::uint64_t& out)
	{
		if (value.isEmpty() || !value.isInteger()) return fail("no whole number \"" + name + "\"");
		if (value.isSigned())
		{
			const Poco::Int64 signedValue = value.convert<Poco::Int64>();
			if (signedValue < 0) return fail("\"" + name + "\" is negative");
			out = static_cast<std::uint64_t>(signedValue);
		}
		else
			out = value.convert<Poco::UInt64>();
		return true;
	}

	bool whole(const Poco::JSON::Object& object, const std::string& name, std::uint64_t& out)
	{
		return whole(object.get(name), name, out);
	}

	bool message(const Poco::JSON::Object& object, std::uint64_t& id, std::string_view& nick, std::string_view& text, std::uint64_t& ts)
	{
		return whole(object, "id", id) && string(object, "nick", nick) && string(object, "text", text) && whole(object, "ts", ts);
	}

	bool welcome(const Poco::JSON::Object& object, ChatEvent& event)
	{
		if (!string(object, "room", event.room) || !string(object, "nick", event.nick) || !whole(object, "lastId", event.lastId))
			return false;
		if (object.has("epoch") && !string(object, "epoch", event.epoch)) return false;
		const Poco::JSON::Array::Ptr users = object.getArray("users");
		if (!users) return fail("no array \"users\"");
		for (std::size_t i = 0; i < users->size(); ++i)
		{
			const Poco::Dynamic::Var user = users->get(static_cast<unsigned>(i));
			if (!user.isString()) return fail("a user that is not a string");
			_storage.push_back(user.extract<std::string>());
			event.users.push_back(_storage.back());
		}
		const Poco::JSON::Array::Ptr history = object.getArray("history");
		if (!history) return fail("no array \"history\"");
		for (std::size_t i = 0; i < history->size(); ++i)
		{
			const Poco::JSON::Object::Ptr entry = history->getObject(static_cast<unsigned>(i));
			std::string_view type, nick, text;
			std::uint64_t id = 0, ts = 0;
			if (!entry) return fail("a history entry that is not an object");
			if (!string(*entry, "type", type) || type != "message") return fail("a history entry that is not a message");
			if (!message(*entry, id, nick, text, ts)) return false;
			event.historyIds.push_back(id);
		}
		if (object.has("gap"))
		{
			const Poco::JSON::Object::Ptr gap = object.getObject("gap");
			if (!gap) return fail("\"gap\" is not an object");
			event.hasGap = true;
			if (!whole(*gap, "from", event.gapFrom) || !whole(*gap, "to", event.gapTo)) return false;
		}
		if (object.has("reset"))
		{
			const Poco::Dynamic::Var reset = object.get("reset");
			if (!reset.isBoolean()) return fail("\"reset\" is not a boolean");
			event.reset = reset.extract<bool>();
		}
		return true;
	}

	bool readEvent(const Poco::JSON::Object& object, ChatEvent& event)
	{
		std::string_view type;
		if (!string(object, "type", type)) return false;
		event.typeName = type;
		if (type == "message")
		{
			event.type = ChatEvent::Type::Message;
			return message(object, event.id, event.nick, event.text, event.ts);
		}
		if (type == "join" || type == "leave")
		{
			event.type = type == "join" ? ChatEvent::Type::Join : ChatEvent::Type::Leave;
			return string(object, "nick", event.nick) && whole(object, "ts", event.ts);
		}
		if (type == "nick")
		{
			event.type = ChatEvent::Type::Nick;
			return string(object, "old", event.oldNick) && string(object, "nick", event.nick) && whole(object, "ts", event.ts);
		}
		if (type == "error")
		{
			event.type = ChatEvent::Type::Error;
			return string(object, "code", event.code) && string(object, "message", event.text);
		}
		if (type == "welcome")
		{
			event.type = ChatEvent::Type::Welcome;
			return welcome(object, event);
		}
		event.type = ChatEvent::Type::Unknown;
		return true;
	}

	std::deque<std::string>& _storage;
	std::string& _problem;
};

std::string quoted(std::string_view text)
{
	std::string out = "\"";
	out.append(text.substr(0, 60));
	if (text.size() > 60) out += "...";
	return out + "\"";
}

} // namespace

void ChatEvent::clear()
{
	type = Type::Unknown;
	typeName = {};
	id = ts = lastId = gapFrom = gapTo = 0;
	nick = text = oldNick = code = room = epoch = {};
	users.clear();
	historyIds.clear();
	hasGap = reset = false;
}

const char* ChatEvent::typeNameOf(Type type)
{
	switch (type)
	{
	case Type::Welcome: return "welcome";
	case Type::Message: return "message";
	case Type::Join: return "join";
	case Type::Leave: return "leave";
	case Type::Nick: return "nick";
	case Type::Error: return "error";
	case Type::Unknown: return "unknown";
	}
	return "?";
}

bool ChatEventParser::parseFast(std::string_view json, ChatEvent& event)
{
	Cursor in(json);
	// Nearly every event is a message: read it without clearing the rest
	// of the event (only the fields of an event's type are meaningful).
	if (in.literal("{\"type\":\"message\",\"id\":"))
	{
		event.type = ChatEvent::Type::Message;
		event.typeName = "message";
		return in.whole(event.id) && messageTail(in, event.nick, event.text, event.ts) && in.atEnd();
	}
	event.clear();
	std::string_view type;
	if (!in.literal("{\"type\":") || !in.string(type)) return false;
	bool read = false;
	if (type == "join" || type == "leave")
	{
		event.type = type == "join" ? ChatEvent::Type::Join : ChatEvent::Type::Leave;
		read = in.literal(",\"nick\":") && in.string(event.nick) && in.literal(",\"ts\":") && in.whole(event.ts) && in.next('}');
	}
	else if (type == "nick")
	{
		event.type = ChatEvent::Type::Nick;
		read = in.literal(",\"old\":") && in.string(event.oldNick) && in.literal(",\"nick\":") && in.string(event.nick) &&
			in.literal(",\"ts\":") && in.whole(event.ts) && in.next('}');
	}
	else if (type == "error")
	{
		event.type = ChatEvent::Type::Error;
		read = in.literal(",\"code\":") && in.string(event.code) && in.literal(",\"message\":") && in.string(event.text) &&
			in.next('}');
	}
	else if (type == "welcome")
	{
		event.type = ChatEvent::Type::Welcome;
		read = welcomeBody(in, event);
	}
	event.typeName = type;
	return read && in.atEnd();
}

ChatEventParser::Result ChatEventParser::parse(std::string_view json, ChatEvent& event)
{
	if (parseFast(json, event)) return Result::Fast;
	if (PocoReader(_storage, _problem).read(json, event)) return Result::Slow;
	_problem += ": " + quoted(json);
	return Result::Malformed;
}

std::string ChatEventParser::audit(std::string_view json, const ChatEvent& event)
{
	std::string problem;
	if (!PocoReader(_auditStorage, problem).read(json, _audited)) return "Poco::JSON refuses what was accepted: " + problem;
	const ChatEvent& a = event;
	const ChatEvent& b = _audited;
	auto differs = [](const char* field, const auto& mine, const auto& poco) {
		return std::string(field) + " read as " + mine + ", Poco::JSON reads " + poco;
	};
	auto number = [](std::uint64_t value) { return std::to_string(value); };
	// The fields of the event's type (parse() leaves the others as they were).
	using Type = ChatEvent::Type;
	const Type type = a.type;
	if (type != b.type) return differs("type", ChatEvent::typeNameOf(type), ChatEvent::typeNameOf(b.type));
	if (type == Type::Unknown) return a.typeName == b.typeName ? "" : differs("type", quoted(a.typeName), quoted(b.typeName));
	if (type == Type::Message && a.id != b.id) return differs("id", number(a.id), number(b.id));
	if (type != Type::Welcome && type != Type::Error && a.ts != b.ts) return differs("ts", number(a.ts), number(b.ts));
	if (type != Type::Error && a.nick != b.nick) return differs("nick", quoted(a.nick), quoted(b.nick));
	if ((type == Type::Message || type == Type::Error) && a.text != b.text)
		return differs("text", quoted(a.text), quoted(b.text));
	if (type == Type::Nick && a.oldNick != b.oldNick) return differs("old", quoted(a.oldNick), quoted(b.oldNick));
	if (type == Type::Error && a.code != b.code) return differs("code", quoted(a.code), quoted(b.code));
	if (type != Type::Welcome) return {};
	if (a.lastId != b.lastId) return differs("lastId", number(a.lastId), number(b.lastId));
	if (a.room != b.room) return differs("room", quoted(a.room), quoted(b.room));
	if (a.epoch != b.epoch) return differs("epoch", quoted(a.epoch), quoted(b.epoch));
	if (a.users != b.users) return differs("users", number(a.users.size()) + " names", number(b.users.size()) + " names (or other names)");
	if (a.historyIds != b.historyIds)
		return differs("history", number(a.historyIds.size()) + " ids", number(b.historyIds.size()) + " ids (or other ids)");
	if (a.hasGap != b.hasGap || a.gapFrom != b.gapFrom || a.gapTo != b.gapTo)
		return differs("gap", number(a.gapFrom) + "-" + number(a.gapTo), number(b.gapFrom) + "-" + number(b.gapTo));
	if (a.reset != b.reset) return differs("reset", a.reset ? "true" : "false", b.reset ? "true" : "false");
	return {};
}

} // namespace webchat::bench
