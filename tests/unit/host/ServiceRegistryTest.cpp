//
// The host's registry of the services plugins publish for each other, and
// findService<Interface>(), which matches an interface by its versioned
// name rather than by type_info.
//

#include "ServiceRegistry.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::Service;
using webchat::ServiceRegistry;

namespace {

class GreetingService: public Service
{
public:
	static constexpr const char* versionedName = "test.GreetingService/2";

	explicit GreetingService(std::string greeting, const char* claimed = versionedName):
		_greeting(std::move(greeting)), _claimed(claimed)
	{
	}

	const char* interfaceName() const override { return _claimed; }
	const std::string& greeting() const { return _greeting; }

private:
	std::string _greeting;
	const char* _claimed;
};

// A Host whose registry is the one under test, as WebchatServer's is.
class RegistryHost: public webchat::Host
{
public:
	void collectMetrics(webchat::MetricsWriter&) override {}
	bool allListenersServing() const override { return true; }
	bool checkingConfiguration() const override { return false; }
	void publish(const std::string& name, std::shared_ptr<Service> service) override { registry.publish(name, std::move(service)); }
	void withdraw(const std::string& name, const Service& service) override { registry.withdraw(name, service); }
	std::shared_ptr<Service> findService(const std::string& name) const override { return registry.find(name); }

	ServiceRegistry registry;
};

} // namespace

class ServiceRegistryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ServiceRegistryTest);
	CPPUNIT_TEST(testFindsWhatWasPublished);
	CPPUNIT_TEST(testPublishingAgainReplaces);
	CPPUNIT_TEST(testWithdrawTakesOnlyItsOwn);
	CPPUNIT_TEST(testClearReleasesEveryService);
	CPPUNIT_TEST(testFindServiceMatchesTheVersionedName);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFindsWhatWasPublished()
	{
		ServiceRegistry registry;
		CPPUNIT_ASSERT(!registry.find("chat/chat"));
		const auto service = std::make_shared<GreetingService>("hello");
		registry.publish("chat/chat", service);
		CPPUNIT_ASSERT(registry.find("chat/chat") == service);
		CPPUNIT_ASSERT(!registry.find("other/chat"));
	}

	void testPublishingAgainReplaces()
	{
		ServiceRegistry registry;
		const auto first = std::make_shared<GreetingService>("first");
		const auto second = std::make_shared<GreetingService>("second");
		registry.publish("chat/chat", first);
		registry.publish("chat/chat", second);
		CPPUNIT_ASSERT(registry.find("chat/chat") == second);
		// The registry let go of the first one.
		CPPUNIT_ASSERT_EQUAL(1L, first.use_count());
	}

	void testWithdrawTakesOnlyItsOwn()
	{
		// A listener replaced by a reload: the successor publishes under the
		// same name, then the predecessor shuts down and withdraws.
		ServiceRegistry registry;
		const auto predecessor = std::make_shared<GreetingService>("old");
		const auto successor = std::make_shared<GreetingService>("new");
		registry.publish("chat/chat", predecessor);
		registry.publish("chat/chat", successor);
		CPPUNIT_ASSERT(!registry.withdraw("chat/chat", *predecessor));
		CPPUNIT_ASSERT(registry.find("chat/chat") == successor);
		CPPUNIT_ASSERT(registry.withdraw("chat/chat", *successor));
		CPPUNIT_ASSERT(!registry.find("chat/chat"));
		CPPUNIT_ASSERT(!registry.withdraw("chat/chat", *successor));
	}

	void testClearReleasesEveryService()
	{
		ServiceRegistry registry;
		const auto service = std::make_shared<GreetingService>("hello");
		registry.publish("a", service);
		registry.publish("b", service);
		registry.clear();
		CPPUNIT_ASSERT(!registry.find("a"));
		CPPUNIT_ASSERT(!registry.find("b"));
		CPPUNIT_ASSERT_EQUAL(1L, service.use_count());
	}

	void testFindServiceMatchesTheVersionedName()
	{
		RegistryHost host;
		host.publish("current", std::make_shared<GreetingService>("hello"));
		host.publish("older", std::make_shared<GreetingService>("hi", "test.GreetingService/1"));
		const auto current = webchat::findService<GreetingService>(host, "current");
		CPPUNIT_ASSERT(current);
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), current->greeting());
		// Another version of the interface is not converted, though found.
		CPPUNIT_ASSERT(host.findService("older"));
		CPPUNIT_ASSERT(!webchat::findService<GreetingService>(host, "older"));
		CPPUNIT_ASSERT(!webchat::findService<GreetingService>(host, "absent"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceRegistryTest);
