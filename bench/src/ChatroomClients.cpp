#include "ChatroomClients.h"

#include "Poco/Process.h"

#include <algorithm>

namespace webchat::bench {

namespace {

// Runs of this process so far: each run's nicks carry its number.
unsigned nextRunNumber()
{
	static unsigned runs = 0;
	return ++runs;
}

} // namespace

ChatroomClients::ChatroomClients(ChatroomOptions options, std::size_t clients):
	_options(std::move(options)),
	// The process id too: nicks are kept for whoever used them
	// (nick_reservation_days), so a later bench process must not reuse them.
	_suffix("-" + std::to_string(Poco::Process::id()) + "-" + std::to_string(nextRunNumber())),
	_clients(clients),
	_epochs(_options.rooms.size())
{
	_nicks.reserve(clients);
	for (std::size_t i = 0; i < clients; ++i) _nicks.push_back("b" + std::to_string(i) + _suffix);
}

std::string ChatroomClients::percentEncode(std::string_view text)
{
	static constexpr char Hex[] = "0123456789ABCDEF";
	std::string out;
	for (const char c: text)
	{
		const auto byte = static_cast<unsigned char>(c);
		const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
			(byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
		if (unreserved)
			out += c;
		else
		{
			out += '%';
			out += Hex[byte >> 4];
			out += Hex[byte & 0xF];
		}
	}
	return out;
}

std::string ChatroomClients::requestTarget(std::size_t index) const
{
	return "/" + percentEncode(_options.rooms[roomOf(index)]) + "?nick=" + percentEncode(_nicks[index]);
}

void ChatroomClients::prepare(ClientConnection& connection) const
{
	connection.setRequestTarget(requestTarget(connection.index()));
	connection.awaitGreeting();
}

bool ChatroomClients::isOurs(std::string_view nick) const
{
	// b<index><suffix>, index one of this run's.
	if (nick.size() < 2 + _suffix.size() || nick[0] != 'b' || nick.substr(nick.size() - _suffix.size()) != _suffix)
		return false;
	std::size_t index = 0;
	for (std::size_t i = 1; i < nick.size() - _suffix.size(); ++i)
	{
		if (nick[i] < '0' || nick[i] > '9' || index > _nicks.size()) return false;
		index = index * 10 + static_cast<std::size_t>(nick[i] - '0');
	}
	return index < _nicks.size() && _nicks[index] == nick;
}

void ChatroomClients::problem(std::uint64_t& counter, const std::string& what)
{
	++counter;
	if (_totals.firstProblem.empty()) _totals.firstProblem = what;
}

std::string ChatroomClients::checkWelcome(std::size_t index, const ChatEvent& event) const
{
	const std::string& nick = _nicks[index];
	const std::string& room = _options.rooms[roomOf(index)];
	const std::string& epoch = _epochs[roomOf(index)];
	if (event.room != room) return "welcome for room \"" + std::string(event.room) + "\"";
	if (event.nick != nick) return "welcome for nick \"" + std::string(event.nick) + "\" instead of " + nick;
	// "users lists the room's members in the order they joined, the new one last".
	if (event.users.empty() || event.users.back() != nick) return "welcome whose users do not end with " + nick;
	// Without since: no gap, no reset; the history is the latest messages, in order.
	if (event.hasGap || event.reset) return "welcome with gap or reset although no since was sent";
	// The room's incarnation: 1 to 64 of A-Z a-z 0-9 - _, the same for every
	// client of the run in that room (with several servers sharing it, one
	// epoch for all of them).
	const bool epochChars = std::all_of(event.epoch.begin(), event.epoch.end(), [](char c) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
	});
	if (event.epoch.empty() || event.epoch.size() > 64 || !epochChars)
		return "welcome without a valid epoch (\"" + std::string(event.epoch.substr(0, 80)) + "\")";
	if (!epoch.empty() && event.epoch != epoch)
		return "welcome with epoch " + std::string(event.epoch) + ", another client's had " + epoch;
	for (std::size_t i = 0; i < event.historyIds.size(); ++i)
	{
		if (event.historyIds[i] != event.lastId - (event.historyIds.size() - 1 - i))
			return "welcome history ids do not run up to lastId " + std::to_string(event.lastId) + " one by one";
	}
	return {};
}

void ChatroomClients::welcome(ClientConnection& connection, const ChatEvent& event)
{
	const std::size_t index = connection.index();
	const std::string wrong = checkWelcome(index, event);
	if (!wrong.empty())
	{
		problem(_totals.malformed, "client " + std::to_string(index) + ": " + wrong);
		connection.fail(wrong);
		return;
	}
	++_totals.welcomes;
	std::string& epoch = _epochs[roomOf(index)];
	if (epoch.empty()) epoch = event.epoch;
	Client& client = _clients[index];
	client.welcomed = true;
	client.nextId = event.lastId + 1;
	// Every client of this run for this room not yet in it will announce itself.
	const std::size_t rooms = _options.rooms.size(), room = roomOf(index);
	const std::size_t members = _nicks.size() / rooms + (room < _nicks.size() % rooms ? 1 : 0);
	std::size_t present = 0;
	for (const std::string_view user: event.users) present += isOurs(user);
	client.joinsExpected = static_cast<std::uint32_t>(members - std::min(present, members));
	connection.markGreeted();
}

std::optional<ChatroomClients::Delivery> ChatroomClients::onFrame(ClientConnection& connection, ws::Opcode opcode,
	std::string_view frame)
{
	const std::size_t index = connection.index();
	Client& client = _clients[index];
	if (opcode != ws::Opcode::Text)
	{
		problem(_totals.malformed, "client " + std::to_string(index) + ": a binary frame");
		if (!client.welcomed) connection.fail("a binary frame instead of the welcome");
		return std::nullopt;
	}
	const ChatEventParser::Result result = _parser.parse(frame, _event);
	if (result == ChatEventParser::Result::Malformed)
	{
		problem(_totals.malformed, "client " + std::to_string(index) + ": " + _parser.problem());
		if (!client.welcomed) connection.fail("malformed welcome: " + _parser.problem());
		return std::nullopt;
	}
	if (result == ChatEventParser::Result::Slow) ++_totals.otherLayout;
	if (_options.auditEvery && ++_events % _options.auditEvery == 0)
	{
		++_totals.audited;
		const std::string mismatch = _parser.audit(frame, _event);
		if (!mismatch.empty()) problem(_totals.auditMismatches, "client " + std::to_string(index) + ": " + mismatch);
	}

	if (!client.welcomed)
	{
		if (_event.type == ChatEvent::Type::Welcome)
			welcome(connection, _event);
		else
		{
			const bool refused = _event.type == ChatEvent::Type::Error;
			const std::string what = refused
				? "refused: " + std::string(_event.code) + " (" + std::string(_event.text) + ")"
				: std::string("a ") + ChatEvent::typeNameOf(_event.type) + " event before the welcome";
			problem(refused ? _totals.errors : _totals.malformed, "client " + std::to_string(index) + ": " + what);
			connection.fail(what);
		}
		return std::nullopt;
	}
	switch (_event.type)
	{
	case ChatEvent::Type::Message:
		++_totals.messages;
		// The room's order: each id exactly one above the one before.
		if (_event.id == client.nextId)
			++client.nextId;
		else if (_event.id > client.nextId)
		{
			++client.idGaps;
			client.nextId = _event.id + 1;
		}
		else
			++client.idRepeats;
		return Delivery{_event.text, _event.nick, _event.id};
	case ChatEvent::Type::Join:
		++_totals.joins;
		if (isOurs(_event.nick) && ++client.joinsSeen > client.joinsExpected)
			problem(_totals.malformed, "client " + std::to_string(index) + ": more joins of this run's clients than were not in the room");
		break;
	case ChatEvent::Type::Leave: ++_totals.leaves; break;
	case ChatEvent::Type::Nick: ++_totals.nickChanges; break;
	case ChatEvent::Type::Error:
	{
		std::string what = "client " + std::to_string(index) + ": error event " + std::string(_event.code) + " (" +
			std::string(_event.text) + ")";
		if (_event.code == "rate_limited" || _event.code == "flooding")
			what += ": the server's rate_per_second and rate_burst are below this load (bench/run.sh raises them)";
		problem(_totals.errors, what);
		break;
	}
	case ChatEvent::Type::Welcome:
		problem(_totals.malformed, "client " + std::to_string(index) + ": a second welcome");
		break;
	case ChatEvent::Type::Unknown:
		problem(_totals.unknown, "client " + std::to_string(index) + ": an event of unknown type \"" +
			std::string(_event.typeName) + "\"");
		break;
	}
	return std::nullopt;
}

std::uint64_t ChatroomClients::joinsMissing(std::size_t first, std::size_t last) const
{
	std::uint64_t missing = 0;
	for (std::size_t i = first; i < last && i < _clients.size(); ++i)
	{
		const Client& client = _clients[i];
		if (client.welcomed && client.joinsSeen < client.joinsExpected) missing += client.joinsExpected - client.joinsSeen;
	}
	return missing;
}

ChatroomTotals ChatroomClients::totals(std::size_t first, std::size_t last) const
{
	ChatroomTotals totals = _totals;
	for (std::size_t i = first; i < last && i < _clients.size(); ++i)
	{
		const Client& client = _clients[i];
		totals.idGaps += client.idGaps;
		totals.idRepeats += client.idRepeats;
		totals.joinsExpected += client.joinsExpected;
		totals.joinsSeen += client.joinsSeen;
	}
	return totals;
}

} // namespace webchat::bench
