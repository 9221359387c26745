#include "HistorySettings.h"

#include "ConfigValues.h"
#include "MemoryHistoryStore.h"
#include "SqliteHistoryStore.h"

#include "Poco/Exception.h"
#include "Poco/Path.h"
#include "Poco/String.h"

#include <algorithm>

namespace webchat::chatroom {

namespace {

std::string resolveDatabase(const Poco::Util::AbstractConfiguration& section)
{
	std::string configured = Poco::trim(section.getString("database", ""));
	if (configured.empty()) configured = HistorySettings::DefaultDatabase;
	Poco::Path path;
	if (!path.tryParse(configured, Poco::Path::PATH_UNIX) || path.isDirectory())
		throw Poco::InvalidArgumentException("database = " + configured + ": expected the path of a file");
	if (path.isRelative())
	{
		// Relative to the .ini's folder, which webchatd puts in
		// application.configDir (the section view falls back to full keys).
		path = Poco::Path(section.getString("application.configDir", Poco::Path::current())).resolve(path);
	}
	// Parsing again folds the "..": the path the messages show.
	return Poco::Path(path.toString()).toString();
}

} // namespace

HistorySettings HistorySettings::fromConfig(const Poco::Util::AbstractConfiguration& section, std::size_t historySize)
{
	HistorySettings s;
	const std::string backend = Poco::trim(section.getString("backend", "sqlite"));
	if (backend == "sqlite")
		s.backend = Backend::Sqlite;
	else if (backend == "memory")
		s.backend = Backend::Memory;
	else
		throw Poco::InvalidArgumentException("backend = " + backend + ": expected sqlite or memory");

	s.database = resolveDatabase(section);
	s.batchWindowMs = static_cast<std::int64_t>(ConfigValues::whole(section, "batch_window_ms", static_cast<std::uint64_t>(s.batchWindowMs), 1, 10000));
	const std::uint64_t least = historySize;
	s.retentionCount = ConfigValues::whole(section, "retention_count", std::max<std::uint64_t>(DefaultRetentionCount, least), 0, std::uint64_t(1) << 53);
	if (s.retentionCount != 0 && s.retentionCount < least)
	{
		throw Poco::InvalidArgumentException("retention_count = " + std::to_string(s.retentionCount) +
			": keeps fewer messages than history_size = " + std::to_string(historySize) + "; use 0 (keep all) or at least " + std::to_string(least));
	}
	s.retentionDays = static_cast<std::int64_t>(ConfigValues::whole(section, "retention_days", 0, 0, 36500));
	return s;
}

std::unique_ptr<HistoryStore> HistorySettings::openStore(Poco::Logger& logger) const
{
	if (backend == Backend::Memory) return std::make_unique<MemoryHistoryStore>();
	SqliteHistoryStore::Options options;
	options.path = database;
	options.batchWindowMs = batchWindowMs;
	options.retentionCount = retentionCount;
	options.retentionDays = retentionDays;
	return std::make_unique<SqliteHistoryStore>(std::move(options), logger);
}

} // namespace webchat::chatroom
