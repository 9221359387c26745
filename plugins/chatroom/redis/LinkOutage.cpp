#include "redis/LinkOutage.h"

#include "webchat/ErrorText.h"

#include <algorithm>

namespace webchat::chatroom::redis {

namespace {

constexpr std::chrono::milliseconds firstBackoff{100};
constexpr std::chrono::milliseconds maxBackoff{5000};

} // namespace

LinkOutage::LinkOutage(LinkRole role, const RedisOptions& options, std::string instance, Poco::Logger& logger):
	_role(role),
	_address(options.where()),
	_queueLimit(options.queueLimit),
	_instance(std::move(instance)),
	_logger(logger),
	_backoff(firstBackoff)
{
}

std::chrono::milliseconds LinkOutage::failed(const std::exception& reason)
{
	const auto wait = _backoff;
	_backoff = std::min(_backoff * 2, maxBackoff);
	if (_logged) return wait;
	_logged = true;
	const std::string why = webchat::describe(reason);
	switch (_role)
	{
	case LinkRole::Writer:
		_logger.error("redis " + _address + " unreachable (" + why + "); serving local clients, queuing their messages (up to " +
			std::to_string(_queueLimit) + "), retrying with backoff");
		break;
	case LinkRole::FeedReader:
		_logger.warning("redis " + _address + ": the feed reader lost its connection (" + why + "); reconnecting with backoff");
		break;
	}
	return wait;
}

void LinkOutage::connected()
{
	_backoff = firstBackoff;
	const bool recovered = _logged;
	_logged = false;
	switch (_role)
	{
	case LinkRole::Writer:
		if (recovered)
			_logger.notice("redis " + _address + " is reachable again: sending what was queued, catching up the rooms");
		else
			_logger.information("redis " + _address + " connected (instance " + _instance + ")");
		break;
	case LinkRole::FeedReader:
		if (recovered) _logger.notice("redis " + _address + ": the feed reader is connected again; rooms caught up");
		break;
	}
}

} // namespace webchat::chatroom::redis
