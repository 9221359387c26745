#include "ListenerSettings.h"

#include "NativePath.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Util/MapConfiguration.h"
#include "Poco/Util/OptionException.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::ListenerSettings;

class ListenerSettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ListenerSettingsTest);
	CPPUNIT_TEST(testReadsKeysAndDefaults);
	CPPUNIT_TEST(testMissingPortNamesKey);
	CPPUNIT_TEST(testPortOutOfRange);
	CPPUNIT_TEST(testPortNotANumber);
	CPPUNIT_TEST(testMissingPlugin);
	CPPUNIT_TEST(testPluginMustNotBeAPath);
	CPPUNIT_TEST(testListsListenerNames);
	CPPUNIT_TEST(testPlaintextWithoutTlsKeys);
	CPPUNIT_TEST(testTlsPathsRelativeToConfigFolder);
	CPPUNIT_TEST(testTlsConfigFolderWithoutSlash);
	CPPUNIT_TEST(testTlsAbsolutePathsKept);
	CPPUNIT_TEST(testTlsCertificateNeedsKey);
	CPPUNIT_TEST(testTlsKeyNeedsCertificate);
	CPPUNIT_TEST(testTlsSettingsWithoutCertificate);
	CPPUNIT_TEST(testTlsMinimumProtocol);
	CPPUNIT_TEST(testTlsUnknownMinimumProtocol);
	CPPUNIT_TEST(testTlsCiphers);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		config = new Poco::Util::MapConfiguration;
		config->setString("listeners.page.port", "8080");
		config->setString("listeners.page.plugin", "page");
		config->setString("listeners.page.class", "PagePlugin");
	}

	void testReadsKeysAndDefaults()
	{
		config->setString("listeners.page.threads", "4");
		const auto s = ListenerSettings::fromConfig(*config, "page");
		CPPUNIT_ASSERT_EQUAL(std::string("page"), s.name);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt16(8080), s.port);
		CPPUNIT_ASSERT_EQUAL(std::string("0.0.0.0"), s.address);
		CPPUNIT_ASSERT_EQUAL(std::string("page"), s.plugin);
		CPPUNIT_ASSERT_EQUAL(std::string("PagePlugin"), s.className);
		CPPUNIT_ASSERT_EQUAL(4, s.threads);
		CPPUNIT_ASSERT_EQUAL(4096, s.backlog);
	}

	void testMissingPortNamesKey()
	{
		config->remove("listeners.page.port");
		assertThrowsNaming<Poco::Util::MissingOptionException>("listeners.page.port");
	}

	void testPortOutOfRange()
	{
		config->setString("listeners.page.port", "70000");
		assertThrowsNaming<Poco::InvalidArgumentException>("listeners.page.port = 70000");
		config->setString("listeners.page.port", "0");
		assertThrowsNaming<Poco::InvalidArgumentException>("listeners.page.port = 0");
	}

	void testPortNotANumber()
	{
		config->setString("listeners.page.port", "http");
		assertThrowsNaming<Poco::InvalidArgumentException>("listeners.page.port = http");
	}

	void testMissingPlugin()
	{
		config->remove("listeners.page.plugin");
		assertThrowsNaming<Poco::Util::MissingOptionException>("listeners.page.plugin");
	}

	void testPluginMustNotBeAPath()
	{
		config->setString("listeners.page.plugin", "../../tmp/evil");
		assertThrowsNaming<Poco::InvalidArgumentException>("listeners.page.plugin");
	}

	void testListsListenerNames()
	{
		config->setString("listeners.chat.port", "8000");
		auto names = ListenerSettings::names(*config);
		std::sort(names.begin(), names.end());
		CPPUNIT_ASSERT_EQUAL(size_t(2), names.size());
		CPPUNIT_ASSERT_EQUAL(std::string("chat"), names[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("page"), names[1]);
	}

	void testPlaintextWithoutTlsKeys()
	{
		const auto s = ListenerSettings::fromConfig(*config, "page");
		CPPUNIT_ASSERT(!s.tls.enabled());
	}

	void testTlsPathsRelativeToConfigFolder()
	{
		config->setString("application.configDir", "/etc/webchat/");
		config->setString("listeners.page.tls_certificate", "tls/cert.pem");
		config->setString("listeners.page.tls_private_key", "../keys/key.pem");
		const auto s = ListenerSettings::fromConfig(*config, "page");
		CPPUNIT_ASSERT(s.tls.enabled());
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/etc/webchat/tls/cert.pem"), s.tls.certificateFile);
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/etc/keys/key.pem"), s.tls.privateKeyFile);
		CPPUNIT_ASSERT_EQUAL(std::string("tlsv1.2"), s.tls.minProtocol);
		CPPUNIT_ASSERT_EQUAL(webchat::TlsSettings::defaultCiphers, s.tls.ciphers);
	}

	void testTlsConfigFolderWithoutSlash()
	{
		config->setString("application.configDir", "/etc/webchat");
		config->setString("listeners.page.tls_certificate", "cert.pem");
		config->setString("listeners.page.tls_private_key", "key.pem");
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/etc/webchat/cert.pem"), ListenerSettings::fromConfig(*config, "page").tls.certificateFile);
	}

	void testTlsAbsolutePathsKept()
	{
		config->setString("application.configDir", "/etc/webchat/");
		config->setString("listeners.page.tls_certificate", "/srv/tls/fullchain.pem");
		config->setString("listeners.page.tls_private_key", "/srv/tls/privkey.pem");
		const auto s = ListenerSettings::fromConfig(*config, "page");
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/srv/tls/fullchain.pem"), s.tls.certificateFile);
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/srv/tls/privkey.pem"), s.tls.privateKeyFile);
	}

	void testTlsCertificateNeedsKey()
	{
		config->setString("listeners.page.tls_certificate", "cert.pem");
		assertThrowsNaming<Poco::Util::MissingOptionException>("listeners.page.tls_private_key");
	}

	void testTlsKeyNeedsCertificate()
	{
		config->setString("listeners.page.tls_private_key", "key.pem");
		assertThrowsNaming<Poco::Util::MissingOptionException>("listeners.page.tls_certificate");
	}

	void testTlsSettingsWithoutCertificate()
	{
		// Not silently plaintext: a TLS setting means TLS was meant.
		config->setString("listeners.page.tls_min_protocol", "tlsv1.3");
		assertThrowsNaming<Poco::Util::MissingOptionException>("listeners.page.tls_certificate");
	}

	void testTlsMinimumProtocol()
	{
		setTlsFiles();
		config->setString("listeners.page.tls_min_protocol", "TLSv1.3");
		CPPUNIT_ASSERT_EQUAL(std::string("tlsv1.3"), ListenerSettings::fromConfig(*config, "page").tls.minProtocol);
		config->setString("listeners.page.tls_min_protocol", "tlsv1.2");
		CPPUNIT_ASSERT_EQUAL(std::string("tlsv1.2"), ListenerSettings::fromConfig(*config, "page").tls.minProtocol);
	}

	void testTlsUnknownMinimumProtocol()
	{
		setTlsFiles();
		// Older protocols are refused rather than offered.
		for (const char* value : {"tlsv1.1", "tlsv1", "sslv3", "tls1.2", ""})
		{
			config->setString("listeners.page.tls_min_protocol", value);
			assertThrowsNaming<Poco::InvalidArgumentException>("listeners.page.tls_min_protocol = " + std::string(value) + ": expected tlsv1.2 or tlsv1.3");
		}
	}

	void testTlsCiphers()
	{
		setTlsFiles();
		config->setString("listeners.page.tls_ciphers", "ECDHE+AESGCM");
		CPPUNIT_ASSERT_EQUAL(std::string("ECDHE+AESGCM"), ListenerSettings::fromConfig(*config, "page").tls.ciphers);
		config->setString("listeners.page.tls_ciphers", "");
		assertThrowsNaming<Poco::InvalidArgumentException>("listeners.page.tls_ciphers");
	}

private:
	void setTlsFiles()
	{
		config->setString("listeners.page.tls_certificate", "/tls/cert.pem");
		config->setString("listeners.page.tls_private_key", "/tls/key.pem");
	}

	template <class E>
	void assertThrowsNaming(const std::string& text)
	{
		try
		{
			ListenerSettings::fromConfig(*config, "page");
			CPPUNIT_FAIL("expected an exception naming " + text);
		}
		catch (const E& exc)
		{
			CPPUNIT_ASSERT_MESSAGE(exc.displayText(), exc.displayText().find(text) != std::string::npos);
		}
	}

	Poco::AutoPtr<Poco::Util::MapConfiguration> config;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ListenerSettingsTest);
