#include "ChatSettings.h"

#include "ConfigValues.h"
#include "JsonWriter.h"
#include "NameRules.h"

#include "Poco/Exception.h"

namespace webchat::chatroom {

namespace {

std::size_t whole(const Poco::Util::AbstractConfiguration& section, const std::string& key, std::size_t value, std::size_t min, std::size_t max)
{
	return static_cast<std::size_t>(ConfigValues::whole(section, key, value, min, max));
}

using ConfigValues::decimal;

// The longest a nick can get in JSON: every code point escaped, quotes, comma.
constexpr std::size_t maxNickJson = NameRules::MaxNickLength * JsonWriter::MaxExpansion + 3;
constexpr std::size_t maxRoomJson = NameRules::MaxRoomLength * JsonWriter::MaxExpansion + 2;
// The welcome's fixed fields and numbers, generously.
constexpr std::size_t welcomeOverhead = 512;

} // namespace

ChatSettings ChatSettings::fromConfig(const Poco::Util::AbstractConfiguration& section, const engine::EngineSettings& engine)
{
	ChatSettings s;
	s.historySize = whole(section, "history_size", s.historySize, 0, 100000);
	s.historyBytes = whole(section, "history_bytes", s.historyBytes, 1024, std::size_t(1) << 30);
	s.maxTextBytes = whole(section, "max_text_bytes", s.maxTextBytes, 1, 64 * 1024 * 1024);
	s.ratePerSecond = decimal(section, "rate_per_second", s.ratePerSecond, 0.001, 1e6, "0.001 to 1000000");
	s.rateBurst = whole(section, "rate_burst", s.rateBurst, 1, 1000000);
	s.floodCloseAfter = whole(section, "flood_close_after", s.floodCloseAfter, 1, 1000000);
	s.maxRooms = whole(section, "max_rooms", s.maxRooms, 1, 1000000);
	s.maxUsersPerRoom = whole(section, "max_users_per_room", s.maxUsersPerRoom, 1, 1000000);
	s.nickChangesPerMinute = whole(section, "nick_changes_per_minute", s.nickChangesPerMinute, 0, 10000);

	if (s.maxWelcomeBytes() > engine.maxQueuedBytes)
	{
		throw Poco::InvalidArgumentException("history_bytes = " + std::to_string(s.historyBytes) +
			" and max_users_per_room = " + std::to_string(s.maxUsersPerRoom) + ": a welcome could take " +
			std::to_string(s.maxWelcomeBytes()) + " bytes, more than max_queued_bytes = " +
			std::to_string(engine.maxQueuedBytes) + "; lower them or raise max_queued_bytes");
	}
	return s;
}

std::size_t ChatSettings::maxWelcomeBytes() const
{
	return historyBytes + maxUsersPerRoom * maxNickJson + maxRoomJson + maxNickJson + welcomeOverhead;
}

} // namespace webchat::chatroom
