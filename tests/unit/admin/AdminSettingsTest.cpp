#include "AdminSettings.h"

#include "NativePath.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Util/MapConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::admin::AdminSettings;

class AdminSettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AdminSettingsTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testSeveralChatListeners);
	CPPUNIT_TEST(testTokenFileIsMandatory);
	CPPUNIT_TEST(testBadValuesNameTheirKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDefaults()
	{
		auto section = sectionWith({{"api_token_file", "/etc/webchat/api-token"}});
		const auto settings = AdminSettings::fromConfig(*section);
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/etc/webchat/api-token"), settings.apiTokenFile);
		CPPUNIT_ASSERT(settings.chatListenerNames() == std::vector<std::string>{"chat"});
		CPPUNIT_ASSERT_EQUAL(std::size_t(16384), settings.maxJsonBytes);
	}

	void testSeveralChatListeners()
	{
		auto section = sectionWith({{"api_token_file", "/t"}, {"chat_listeners", " chat , chat2,tls_chat "}});
		CPPUNIT_ASSERT((AdminSettings::fromConfig(*section).chatListenerNames() == std::vector<std::string>{"chat", "chat2", "tls_chat"}));
	}

	void testTokenFileIsMandatory()
	{
		auto section = sectionWith({});
		expectRefused(*section, "api_token_file");
	}

	void testBadValuesNameTheirKey()
	{
		expectRefused(*sectionWith({{"api_token_file", "/t"}, {"chat_listeners", ","}}), "chat_listeners");
		expectRefused(*sectionWith({{"api_token_file", "/t"}, {"chat_listeners", "a b"}}), "chat_listeners");
		expectRefused(*sectionWith({{"api_token_file", "/t"}, {"max_json_bytes", "10"}}), "max_json_bytes");
		expectRefused(*sectionWith({{"api_token_file", "/etc/"}}), "api_token_file");
	}

private:
	static Poco::AutoPtr<Poco::Util::MapConfiguration> sectionWith(const std::vector<std::pair<std::string, std::string>>& values)
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> section(new Poco::Util::MapConfiguration);
		for (const auto& [key, value] : values) section->setString(key, value);
		return section;
	}

	static void expectRefused(const Poco::Util::AbstractConfiguration& section, const std::string& key)
	{
		try
		{
			AdminSettings::fromConfig(section);
		}
		catch (const Poco::Exception& exc)
		{
			CPPUNIT_ASSERT_MESSAGE(exc.displayText(), exc.displayText().find(key) != std::string::npos);
			return;
		}
		CPPUNIT_FAIL("accepted, expected a refusal naming " + key);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AdminSettingsTest);
