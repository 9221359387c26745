#include "redis/RedisLink.h"

#include "Poco/Exception.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Redis/Error.h"
#include "Poco/Redis/Exception.h"
#include "Poco/Redis/Type.h"

namespace webchat::chatroom::redis {

using Poco::Redis::Array;
using Poco::Redis::BulkString;
using Poco::Redis::RedisType;
using Poco::Redis::Type;

namespace {

template <class T>
const T& valueOf(const RedisLink::Reply& reply)
{
	const auto* typed = dynamic_cast<const Type<T>*>(reply.get());
	if (!typed) throw Poco::BadCastException("unexpected Redis reply");
	return typed->value();
}

} // namespace

Link::Command::Command(std::initializer_list<std::string_view> words)
{
	for (const auto word : words) *this << word;
}

Link::Command& Link::Command::operator<<(std::string_view word)
{
	_words += '$';
	_words += std::to_string(word.size());
	_words += "\r\n";
	_words += word;
	_words += "\r\n";
	++_count;
	return *this;
}

void Link::Command::appendTo(std::string& out) const
{
	out += '*';
	out += std::to_string(_count);
	out += "\r\n";
	out += _words;
}

std::string_view Link::Command::word(std::size_t index) const
{
	// Walks "$<length>\r\n<bytes>\r\n" from the first: the words a Redis
	// Cluster routes by are among the first few.
	std::size_t at = 0;
	for (std::size_t i = 0;; ++i)
	{
		std::size_t length = 0;
		std::size_t lineEnd = at + 1;
		for (; _words[lineEnd] != '\r'; ++lineEnd) length = length * 10 + static_cast<std::size_t>(_words[lineEnd] - '0');
		if (i == index) return std::string_view(_words).substr(lineEnd + 2, length);
		at = lineEnd + 2 + length + 2;
	}
}

Link::Reply Link::run(const Command& command)
{
	const auto replies = pipeline({command});
	if (RedisLink::isError(replies[0])) throw Poco::Redis::RedisException(RedisLink::errorText(replies[0]));
	return replies[0];
}

RedisLink::RedisLink(std::string address, Poco::Timespan timeout, Credentials credentials):
	_address(std::move(address)),
	_timeout(timeout),
	_credentials(std::move(credentials))
{
}

RedisLink::RedisLink(Sentinels sentinels, Poco::Timespan timeout, Credentials credentials):
	_sentinels(std::move(sentinels)),
	_timeout(timeout),
	_credentials(std::move(credentials))
{
}

void RedisLink::ensureConnected()
{
	if (_connected) return;
	try
	{
		if (_sentinels) _address = _sentinels->masterAddress();
		_socket = Poco::Net::StreamSocket();
		_socket.connect(Poco::Net::SocketAddress(_address), _timeout);
		// Each pipeline is one write; nothing to gain from Nagle, and a lot
		// to lose against Redis's delayed ACKs.
		_socket.setNoDelay(true);
		_socket.setReceiveTimeout(_timeout);
		_socket.setSendTimeout(_timeout);
		_reader.reset();
		_connected = true;
		if (!_credentials.password.empty())
		{
			if (_credentials.user.empty())
				run(command({"AUTH", _credentials.password}));
			else
				run(command({"AUTH", _credentials.user, _credentials.password}));
		}
		if (_sentinels) checkIsMaster();
	}
	catch (...)
	{
		disconnect();
		throw;
	}
}

void RedisLink::checkIsMaster()
{
	const Array role = array(run(command({"ROLE"})));
	const std::string name = role.isNull() || role.size() == 0 ? "" : bulk(*role.begin()).value_or("");
	if (name != "master")
		throw Poco::IOException(_address + ", named master \"" + _sentinels->masterName() + "\" by the sentinels, is a " + (name.empty() ? "?" : name) +
			" (a failover under way)");
}

void RedisLink::dropIfDemoted(const std::vector<Reply>& replies)
{
	if (!_sentinels) return;
	for (const auto& reply : replies)
	{
		if (isError(reply) && errorCode(reply) == "READONLY")
		{
			disconnect();
			return;
		}
	}
}

void RedisLink::disconnect()
{
	_connected = false;
	_reader.reset();
	try
	{
		_socket.close();
	}
	catch (...)
	{
		// Already broken: nothing to close cleanly.
	}
}

void RedisLink::setTimeout(Poco::Timespan timeout)
{
	_timeout = timeout;
	if (_connected) _socket.setReceiveTimeout(timeout);
}

void RedisLink::send(const std::vector<Command>& commands)
{
	_out.clear();
	for (const auto& command : commands) command.appendTo(_out);
	for (std::size_t sent = 0; sent < _out.size();)
	{
		const int n = _socket.sendBytes(_out.data() + sent, static_cast<int>(_out.size() - sent));
		if (n <= 0) throw Poco::IOException("Redis closed the connection");
		sent += static_cast<std::size_t>(n);
	}
}

std::vector<RedisLink::Reply> RedisLink::pipeline(const std::vector<Command>& commands)
{
	sendOnly(commands);
	return readReplies(commands.size());
}

void RedisLink::sendOnly(const std::vector<Command>& commands)
{
	ensureConnected();
	try
	{
		send(commands);
	}
	catch (...)
	{
		disconnect();
		throw;
	}
}

std::vector<RedisLink::Reply> RedisLink::readReplies(std::size_t count)
{
	std::vector<Reply> replies;
	replies.reserve(count);
	try
	{
		for (std::size_t i = 0; i < count; ++i) replies.push_back(_reader.readReply());
	}
	catch (...)
	{
		disconnect();
		throw;
	}
	dropIfDemoted(replies);
	return replies;
}

std::size_t RedisLink::readStreams(const std::vector<Command>& reads, const RespReader::EntryVisitor& visit)
{
	sendOnly(reads);
	std::size_t entries = 0;
	for (std::size_t i = 0; i < reads.size(); ++i) entries += readStreamsReply(visit);
	return entries;
}

std::size_t RedisLink::readStreamsReply(const RespReader::EntryVisitor& visit)
{
	try
	{
		return _reader.readStreams(visit);
	}
	catch (...)
	{
		// Also when visit threw: the reply is taken, but the caller gives
		// up on this connection's place in the feed.
		disconnect();
		throw;
	}
}

bool RedisLink::isError(const Reply& reply)
{
	return reply && reply->type() == RedisType::REDIS_ERROR;
}

std::string RedisLink::errorText(const Reply& reply)
{
	return valueOf<Poco::Redis::Error>(reply).getMessage();
}

std::string RedisLink::errorCode(const Reply& reply)
{
	const std::string text = errorText(reply);
	return text.substr(0, text.find(' '));
}

std::optional<std::string> RedisLink::bulk(const Reply& reply)
{
	if (reply->type() == RedisType::REDIS_SIMPLE_STRING) return valueOf<std::string>(reply);
	const BulkString& value = valueOf<BulkString>(reply);
	if (value.isNull()) return std::nullopt;
	return value.value();
}

std::int64_t RedisLink::integer(const Reply& reply)
{
	return valueOf<Poco::Int64>(reply);
}

Array RedisLink::array(const Reply& reply)
{
	return valueOf<Array>(reply);
}

RedisLink::Command RedisLink::newestEntry(const std::string& stream)
{
	return command({"XREVRANGE", stream, "+", "-", "COUNT", "1"});
}

std::string RedisLink::newestEntryId(const Reply& reply)
{
	const Array newest = array(reply);
	return newest.isNull() || newest.size() == 0 ? "0-0" : streamEntry(*newest.begin()).first;
}

std::pair<std::string, std::vector<std::pair<std::string, std::string>>> RedisLink::streamEntry(const Reply& reply)
{
	const Array entry = array(reply);
	if (entry.isNull() || entry.size() != 2) throw Poco::BadCastException("unexpected stream entry");
	std::pair<std::string, std::vector<std::pair<std::string, std::string>>> result;
	result.first = bulk(*entry.begin()).value_or("");
	const Array fields = array(*(entry.begin() + 1));
	if (fields.isNull()) return result;
	for (auto it = fields.begin(); it != fields.end() && it + 1 != fields.end(); it += 2)
		result.second.emplace_back(bulk(*it).value_or(""), bulk(*(it + 1)).value_or(""));
	return result;
}

} // namespace webchat::chatroom::redis
