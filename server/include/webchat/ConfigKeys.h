//
// ConfigKeys.h
//
// Configuration keys as data. Each component (the host, the engine, each
// plugin) declares its keys once, in a table, the way an nginx module
// declares its directives: name, type, range or choices, default, unit and
// one line of help. Everything else comes from that table:
//   - reading a value, with its default, range check and an error that names
//     the key and what was expected (webchatd exits 78 with it);
//   - refusing a key nobody declared, with a suggestion (webchatd checks
//     every key of a listeners.<name> section against the host's table and
//     the plugin's, HandlerPlugin::configKeys());
//   - the documentation: `webchatd --list-keys` prints the tables, and a test
//     checks the README's key tables against that output.
//
// Header-only: the host and every plugin compile it, so plugins built
// outside this tree need nothing but the installed headers.
//
//   const webchat::ConfigTable& MyPlugin::keys()
//   {
//       static const webchat::ConfigTable table{"myplugin", {
//           webchat::ConfigKey::integer("max_items", 100, 1, 100000, "items", "items kept"),
//           webchat::ConfigKey::choice("mode", "fast", {"fast", "safe"}, "how to go"),
//       }};
//       return table;
//   }
//
//   webchat::ConfigReader read(keys(), section);
//   _maxItems = read.integer("max_items");
//

#ifndef WEBCHAT_CONFIGKEYS_INCLUDED
#define WEBCHAT_CONFIGKEYS_INCLUDED

#include "Poco/Exception.h"
#include "Poco/NumberFormatter.h"
#include "Poco/NumberParser.h"
#include "Poco/Path.h"
#include "Poco/String.h"
#include "Poco/Util/AbstractConfiguration.h"
#include "Poco/Util/OptionException.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace webchat {

/// One key: what it is called, what it holds and what it means.
struct ConfigKey
{
	enum class Type
	{
		Integer, // a whole number from min to max
		Number,  // a decimal number from minNumber to maxNumber
		Text,    // any text (callers check its shape where it has one)
		Path,    // a file or folder; relative ones are relative to the .ini's folder
		Choice,  // one word of choices
		Flag     // true or false (any case)
	};

	std::string name;
	Type type = Type::Text;
	/// As it would be written in the .ini; empty: none (the key is optional,
	/// or required when `required` is set).
	std::string defaultValue;
	bool required = false;
	/// Never shown in messages (passwords).
	bool secret = false;
	/// A choice that ignores case.
	bool anyCase = false;
	/// Set but empty is refused, not taken as the default (where an empty
	/// value would look meaningful).
	bool refuseEmpty = false;
	std::int64_t min = 0;
	std::int64_t max = 0;
	double minNumber = 0;
	double maxNumber = 0;
	std::vector<std::string> choices;
	std::string unit;
	std::string help;

	static ConfigKey integer(std::string name, std::int64_t defaultValue, std::int64_t min, std::int64_t max, std::string unit, std::string help)
	{
		ConfigKey key = make(std::move(name), Type::Integer, std::to_string(defaultValue), std::move(help));
		key.min = min;
		key.max = max;
		key.unit = std::move(unit);
		return key;
	}

	static ConfigKey number(std::string name, double defaultValue, double min, double max, std::string unit, std::string help)
	{
		ConfigKey key = make(std::move(name), Type::Number, Poco::NumberFormatter::format(defaultValue), std::move(help));
		key.minNumber = min;
		key.maxNumber = max;
		key.unit = std::move(unit);
		return key;
	}

	static ConfigKey text(std::string name, std::string defaultValue, std::string help)
	{
		return make(std::move(name), Type::Text, std::move(defaultValue), std::move(help));
	}

	static ConfigKey path(std::string name, std::string defaultValue, std::string help)
	{
		return make(std::move(name), Type::Path, std::move(defaultValue), std::move(help));
	}

	static ConfigKey flag(std::string name, bool defaultValue, std::string help)
	{
		ConfigKey key = make(std::move(name), Type::Flag, defaultValue ? "true" : "false", std::move(help));
		key.choices = {"true", "false"};
		key.anyCase = true;
		return key;
	}

	static ConfigKey choice(std::string name, std::string defaultValue, std::vector<std::string> choices, std::string help)
	{
		ConfigKey key = make(std::move(name), Type::Choice, std::move(defaultValue), std::move(help));
		key.choices = std::move(choices);
		return key;
	}

	/// The key must be set (it then has no default).
	ConfigKey&& mandatory() &&
	{
		required = true;
		defaultValue.clear();
		return std::move(*this);
	}

	/// Its value is never shown in a message.
	ConfigKey&& hidden() &&
	{
		secret = true;
		return std::move(*this);
	}

	/// A choice compared without regard to case.
	ConfigKey&& caseInsensitive() &&
	{
		anyCase = true;
		return std::move(*this);
	}

	/// An empty value is an error instead of the default.
	ConfigKey&& notEmpty() &&
	{
		refuseEmpty = true;
		return std::move(*this);
	}

	/// "integer", "number", "text", "path" or "choice".
	const char* typeName() const
	{
		switch (type)
		{
		case Type::Integer: return "integer";
		case Type::Number: return "number";
		case Type::Text: return "text";
		case Type::Path: return "path";
		case Type::Choice: return "choice";
		case Type::Flag: return "flag";
		}
		return "text";
	}

	/// What a value must be, in words: "a whole number from 1 to 65535",
	/// "sqlite, memory or redis"; empty for text and paths.
	std::string expected() const
	{
		switch (type)
		{
		case Type::Integer:
			return "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
		case Type::Number:
			return "a number from " + Poco::NumberFormatter::format(minNumber) + " to " + Poco::NumberFormatter::format(maxNumber);
		case Type::Choice:
		case Type::Flag:
		{
			std::string words;
			for (std::size_t i = 0; i < choices.size(); ++i)
				words += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
			return words;
		}
		case Type::Text:
		case Type::Path:
			break;
		}
		return "";
	}

private:
	static ConfigKey make(std::string name, Type type, std::string defaultValue, std::string help)
	{
		ConfigKey key;
		key.name = std::move(name);
		key.type = type;
		key.defaultValue = std::move(defaultValue);
		key.help = std::move(help);
		return key;
	}
};

/// The keys of one component, in the order they are documented.
class ConfigTable
{
public:
	ConfigTable() = default;

	ConfigTable(std::string component, std::vector<ConfigKey> keys):
		_component(std::move(component)),
		_keys(std::move(keys))
	{
	}

	/// A component that also reads the keys of others (the chat room reads
	/// the engine's): their keys first, then its own.
	ConfigTable(std::string component, const std::vector<const ConfigTable*>& parts, std::vector<ConfigKey> keys):
		_component(std::move(component))
	{
		for (const ConfigTable* part : parts) _keys.insert(_keys.end(), part->keys().begin(), part->keys().end());
		_keys.insert(_keys.end(), keys.begin(), keys.end());
	}

	const std::vector<ConfigKey>& keys() const { return _keys; }

	/// Null when no key of that name is declared.
	const ConfigKey* find(const std::string& name) const
	{
		for (const auto& key : _keys)
		{
			if (key.name == name) return &key;
		}
		return nullptr;
	}

	/// A declared key; reading an undeclared one is a programming error.
	const ConfigKey& key(const std::string& name) const
	{
		const ConfigKey* found = find(name);
		if (!found) throw Poco::NotFoundException("configuration key not declared by " + _component, name);
		return *found;
	}

private:
	std::string _component;
	std::vector<ConfigKey> _keys;
};

/// A path from the configuration made absolute, ".." folded: a relative one
/// is relative to the configuration file's folder, application.configDir
/// (webchatd sets it; a section view finds it too, as views fall back to
/// full keys).
inline std::string resolveConfigPath(const Poco::Util::AbstractConfiguration& config, const std::string& value)
{
	const Poco::Path path(value);
	if (path.isAbsolute()) return path.toString();
	return Poco::Path::forDirectory(config.getString("application.configDir", Poco::Path::current())).resolve(path).toString();
}

/// Reads a section's values as its table declares them. Messages name the
/// key as prefix + name ("listeners.chat.port", or just "history_size" for
/// a plugin, whose listener the host names). Every bad value throws
/// Poco::InvalidArgumentException, a missing required one
/// Poco::Util::MissingOptionException.
class ConfigReader
{
public:
	ConfigReader(const ConfigTable& table, const Poco::Util::AbstractConfiguration& section, std::string prefix = ""):
		_table(table),
		_section(section),
		_prefix(std::move(prefix))
	{
	}

	/// True when the key is set (to anything, even empty).
	bool isSet(const std::string& name) const
	{
		_table.key(name);
		return _section.has(name);
	}

	/// True when the key is set to a value (not absent, not empty): the
	/// default does not apply.
	bool hasValue(const std::string& name) const
	{
		_table.key(name);
		return !Poco::trim(_section.getString(name, "")).empty();
	}

	/// The value as written (defaults applied, "${...}" expanded in both, spaces
	/// around it trimmed); "" when it has no default and is not set.
	std::string raw(const std::string& name) const
	{
		const ConfigKey& key = _table.key(name);
		std::string value = Poco::trim(_section.getString(name, ""));
		if (value.empty())
		{
			if (key.refuseEmpty && _section.has(name))
				refuse(name, value, key.expected().empty() ? "empty: leave it out for the default" : "expected " + key.expected());
			if (key.required) throw Poco::Util::MissingOptionException("missing configuration key", _prefix + name);
			return _section.expand(key.defaultValue);
		}
		return value;
	}

	std::int64_t integer(const std::string& name) const
	{
		const ConfigKey& key = checked(name, ConfigKey::Type::Integer);
		const std::string value = raw(name);
		Poco::Int64 parsed = 0;
		if (!Poco::NumberParser::tryParse64(value, parsed) || parsed < key.min || parsed > key.max) refuse(key, value);
		return parsed;
	}

	double number(const std::string& name) const
	{
		const ConfigKey& key = checked(name, ConfigKey::Type::Number);
		const std::string value = raw(name);
		double parsed = 0;
		if (!Poco::NumberParser::tryParseFloat(value, parsed) || !std::isfinite(parsed) || parsed < key.minNumber || parsed > key.maxNumber)
			refuse(key, value);
		return parsed;
	}

	std::string text(const std::string& name) const
	{
		checked(name, ConfigKey::Type::Text);
		return raw(name);
	}

	/// The path as written; see resolvedPath() for the absolute one.
	std::string path(const std::string& name) const
	{
		checked(name, ConfigKey::Type::Path);
		return raw(name);
	}

	/// The path made absolute (resolveConfigPath); "" when it has none.
	std::string resolvedPath(const std::string& name) const
	{
		const std::string value = path(name);
		return value.empty() ? value : resolveConfigPath(_section, value);
	}

	/// resolvedPath() of a key that names a file: what cannot be a file's
	/// path (a folder's, ending in '/') is refused.
	std::string resolvedFilePath(const std::string& name) const
	{
		const std::string configured = path(name);
		Poco::Path parsed;
		if (!parsed.tryParse(configured, Poco::Path::PATH_UNIX) || parsed.isDirectory())
			refuse(name, configured, "expected the path of a file");
		return resolveConfigPath(_section, configured);
	}

	/// One of the key's choices, as declared (so compare with ==); compared
	/// with the value exactly, or regardless of case for caseInsensitive().
	std::string choice(const std::string& name) const
	{
		return chosen(checked(name, ConfigKey::Type::Choice));
	}

	bool flag(const std::string& name) const
	{
		return chosen(checked(name, ConfigKey::Type::Flag)) == "true";
	}

	/// "<prefix><name> = <value>: <why>" for callers' own checks of a value's
	/// shape, so every message looks the same.
	[[noreturn]] void refuse(const std::string& name, const std::string& value, const std::string& why) const
	{
		const ConfigKey& key = _table.key(name);
		throw Poco::InvalidArgumentException(_prefix + name + " = " + shown(key, value) + ": " + why);
	}

	const std::string& prefix() const { return _prefix; }

private:
	const ConfigKey& checked(const std::string& name, ConfigKey::Type type) const
	{
		const ConfigKey& key = _table.key(name);
		if (key.type != type) throw Poco::IllegalStateException("configuration key " + name + " is declared as a " + key.typeName());
		return key;
	}

	std::string chosen(const ConfigKey& key) const
	{
		const std::string value = raw(key.name);
		for (const auto& option : key.choices)
		{
			if (key.anyCase ? Poco::icompare(option, value) == 0 : option == value) return option;
		}
		refuse(key, value);
	}

	[[noreturn]] void refuse(const ConfigKey& key, const std::string& value) const
	{
		throw Poco::InvalidArgumentException(_prefix + key.name + " = " + shown(key, value) + ": expected " + key.expected());
	}

	static std::string shown(const ConfigKey& key, const std::string& value)
	{
		return key.secret ? std::string("(hidden)") : value;
	}

	const ConfigTable& _table;
	const Poco::Util::AbstractConfiguration& _section;
	std::string _prefix;
};

/// A table whose keys also say where their values go: a member of the
/// component's settings struct (what nginx's directive table does with an
/// offset into the module's configuration). read() fills every such member;
/// keys without a member are the component's to read by hand (a value that
/// needs more than a type and a range: a path to resolve, a word to map to
/// an enum).
///
///   static const SettingsTable<LimitSettings> table{"limits", {
///       {ConfigKey::integer("max_items", 100, 1, 100000, "items", "items kept"), &LimitSettings::maxItems},
///       {ConfigKey::path("dump_file", "", "where to dump them")}, // by hand
///   }};
///   LimitSettings s;
///   table.read(section, s);
template <class Settings>
class SettingsTable: public ConfigTable
{
public:
	struct Entry
	{
		/// A key read by hand.
		Entry(ConfigKey key):
			key(std::move(key))
		{
		}

		/// A key stored in member: a flag into a bool, an integer or number
		/// key into an arithmetic member, any other into a std::string.
		template <class Member>
		Entry(ConfigKey key, Member Settings::*member):
			key(std::move(key)),
			store(storeInto(this->key, member))
		{
		}

		ConfigKey key;
		std::function<void(const ConfigReader&, Settings&)> store;
	};

	SettingsTable(std::string component, std::vector<Entry> entries):
		ConfigTable(std::move(component), keysOf(entries))
	{
		for (auto& entry : entries) _stores.push_back(std::move(entry.store));
	}

	/// Stores every key that has a member (defaults where absent); throws
	/// as ConfigReader does for a bad value.
	void read(const ConfigReader& reader, Settings& settings) const
	{
		for (const auto& store : _stores)
		{
			if (store) store(reader, settings);
		}
	}

	void read(const Poco::Util::AbstractConfiguration& section, Settings& settings) const
	{
		read(ConfigReader(*this, section), settings);
	}

private:
	template <class Member>
	static std::function<void(const ConfigReader&, Settings&)> storeInto(const ConfigKey& key, Member Settings::*member)
	{
		const std::string name = key.name;
		if constexpr (std::is_same_v<Member, std::string>)
		{
			switch (key.type)
			{
			case ConfigKey::Type::Path: return [name, member](const ConfigReader& read, Settings& s) { s.*member = read.path(name); };
			case ConfigKey::Type::Choice: return [name, member](const ConfigReader& read, Settings& s) { s.*member = read.choice(name); };
			default: return [name, member](const ConfigReader& read, Settings& s) { s.*member = read.text(name); };
			}
		}
		else if constexpr (std::is_same_v<Member, bool>)
		{
			return [name, member](const ConfigReader& read, Settings& s) { s.*member = read.flag(name); };
		}
		else
		{
			static_assert(std::is_arithmetic_v<Member>, "a key is stored in a std::string, a bool or an arithmetic member");
			if (key.type == ConfigKey::Type::Number)
				return [name, member](const ConfigReader& read, Settings& s) { s.*member = static_cast<Member>(read.number(name)); };
			return [name, member](const ConfigReader& read, Settings& s) { s.*member = static_cast<Member>(read.integer(name)); };
		}
	}

	static std::vector<ConfigKey> keysOf(const std::vector<Entry>& entries)
	{
		std::vector<ConfigKey> keys;
		for (const auto& entry : entries) keys.push_back(entry.key);
		return keys;
	}

	std::vector<std::function<void(const ConfigReader&, Settings&)>> _stores;
};

/// The declared name closest to an unknown one (a typo: at most two edits,
/// or a third of its length), or "" when none is close.
inline std::string closestKeyName(const std::string& unknown, const std::vector<std::string>& names)
{
	// Levenshtein distance, two rows.
	auto distance = [](const std::string& a, const std::string& b) {
		std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
		for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
		for (std::size_t i = 1; i <= a.size(); ++i)
		{
			current[0] = i;
			for (std::size_t j = 1; j <= b.size(); ++j)
			{
				const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
				current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
			}
			std::swap(previous, current);
		}
		return previous[b.size()];
	};
	const std::size_t limit = std::max<std::size_t>(2, unknown.size() / 3);
	std::string best;
	std::size_t bestDistance = limit + 1;
	for (const auto& name : names)
	{
		const std::size_t d = distance(Poco::toLower(unknown), name);
		if (d < bestDistance)
		{
			bestDistance = d;
			best = name;
		}
	}
	return best;
}

} // namespace webchat

#endif // WEBCHAT_CONFIGKEYS_INCLUDED
