#include "RedisLink.h"

#include "Poco/Exception.h"
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

RedisLink::RedisLink(std::string address, Poco::Timespan timeout):
	_address(std::move(address)),
	_timeout(timeout)
{
}

void RedisLink::ensureConnected()
{
	if (!_connected) connect();
}

void RedisLink::connect()
{
	try
	{
		_client.connect(_address, _timeout);
		_client.setReceiveTimeout(_timeout);
		_connected = true;
	}
	catch (...)
	{
		disconnect();
		throw;
	}
}

void RedisLink::disconnect()
{
	_connected = false;
	try
	{
		_client.disconnect();
	}
	catch (...)
	{
		// Already broken: nothing to close cleanly.
	}
}

void RedisLink::setTimeout(Poco::Timespan timeout)
{
	_timeout = timeout;
	if (_connected) _client.setReceiveTimeout(timeout);
}

RedisLink::Reply RedisLink::run(const Command& command)
{
	const auto replies = pipeline({command});
	if (isError(replies[0])) throw Poco::Redis::RedisException(errorText(replies[0]));
	return replies[0];
}

std::vector<RedisLink::Reply> RedisLink::pipeline(const std::vector<Command>& commands)
{
	ensureConnected();
	std::vector<Reply> replies;
	replies.reserve(commands.size());
	try
	{
		for (const auto& command : commands) _client.execute<void>(command); // written, not flushed
		_client.flush();
		for (std::size_t i = 0; i < commands.size(); ++i)
		{
			Reply reply = _client.readReply();
			if (!reply) throw Poco::IOException("Redis closed the connection");
			replies.push_back(std::move(reply));
		}
	}
	catch (...)
	{
		disconnect();
		throw;
	}
	return replies;
}

RedisLink::Command RedisLink::command(std::initializer_list<std::string> words)
{
	Command command;
	for (const auto& word : words) command << word;
	return command;
}

bool RedisLink::isError(const Reply& reply)
{
	return reply && reply->type() == RedisType::REDIS_ERROR;
}

std::string RedisLink::errorText(const Reply& reply)
{
	return valueOf<Poco::Redis::Error>(reply).getMessage();
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

std::pair<std::string, std::vector<std::pair<std::string, std::string>>> RedisLink::streamEntry(const Reply& reply)
{
	const Array& entry = array(reply);
	if (entry.isNull() || entry.size() != 2) throw Poco::BadCastException("unexpected stream entry");
	std::pair<std::string, std::vector<std::pair<std::string, std::string>>> result;
	result.first = bulk(*entry.begin()).value_or("");
	const Array& fields = array(*(entry.begin() + 1));
	if (fields.isNull()) return result;
	for (auto it = fields.begin(); it != fields.end() && it + 1 != fields.end(); it += 2)
		result.second.emplace_back(bulk(*it).value_or(""), bulk(*(it + 1)).value_or(""));
	return result;
}

} // namespace webchat::chatroom::redis
