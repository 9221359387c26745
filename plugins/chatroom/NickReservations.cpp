#include "NickReservations.h"

#include "ChatSettings.h"
#include "HistorySettings.h"
#include "MemoryNickReservations.h"
#include "SqliteNickReservations.h"
#include "redis/RedisNickReservations.h"

#include "webchat/ErrorText.h"

#include <algorithm>

namespace webchat::chatroom {

bool NickReservations::reservable(const std::string& nick)
{
	static constexpr std::string_view guest = "guest-";
	const bool guestNick = nick.size() > guest.size() && nick.compare(0, guest.size(), guest) == 0 &&
		std::all_of(nick.begin() + guest.size(), nick.end(), [](char c) { return c >= '0' && c <= '9'; });
	return !guestNick;
}

std::string NickReservations::describeLimits(std::int64_t lifetimeMs, std::size_t maxReservations)
{
	constexpr std::int64_t DayMs = 24 * 60 * 60 * 1000;
	return std::to_string(lifetimeMs / DayMs) + " days after last use, at most " + std::to_string(maxReservations);
}

std::unique_ptr<NickReservations> NickReservations::open(const ChatSettings& chat, const HistorySettings& history, Poco::Logger& logger)
{
	if (chat.nickReservationDays == 0) return nullptr;
	const std::int64_t lifetimeMs = chat.nickReservationMs();
	switch (history.backend)
	{
	case HistorySettings::Backend::Sqlite:
		try
		{
			return std::make_unique<SqliteNickReservations>(history.database, lifetimeMs, chat.maxNickReservations, logger);
		}
		catch (const std::exception& exc)
		{
			if (!history.fallBackToMemory) throw;
			logger.error("nick reservations: " + webchat::describe(exc) + "; they are kept in memory (database_fallback = memory)");
			break;
		}
	case HistorySettings::Backend::Redis:
		return std::make_unique<redis::RedisNickReservations>(history.redis, lifetimeMs, chat.maxNickReservations, logger);
	case HistorySettings::Backend::Memory:
		break;
	}
	return std::make_unique<MemoryNickReservations>(lifetimeMs, chat.maxNickReservations);
}

} // namespace webchat::chatroom
