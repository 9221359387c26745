#include "PrometheusWriter.h"

#include "Poco/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

#include <cmath>
#include <limits>

using webchat::status::PrometheusWriter;

class PrometheusWriterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PrometheusWriterTest);
	CPPUNIT_TEST(testCounterAndGauge);
	CPPUNIT_TEST(testFamilyHeadersOnceAndSeriesGrouped);
	CPPUNIT_TEST(testLabelValueEscaping);
	CPPUNIT_TEST(testHelpEscaping);
	CPPUNIT_TEST(testHistogram);
	CPPUNIT_TEST(testValues);
	CPPUNIT_TEST(testTypeClashRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCounterAndGauge()
	{
		PrometheusWriter writer;
		writer.counter("a_total", "As.", {}, 3);
		writer.gauge("b", "Bs.", {{"x", "1"}, {"y", "2"}}, 7);
		CPPUNIT_ASSERT_EQUAL(std::string(
			"# HELP a_total As.\n"
			"# TYPE a_total counter\n"
			"a_total 3\n"
			"# HELP b Bs.\n"
			"# TYPE b gauge\n"
			"b{x=\"1\",y=\"2\"} 7\n"), writer.text());
	}

	void testFamilyHeadersOnceAndSeriesGrouped()
	{
		// Two listeners writing the same families, interleaved.
		PrometheusWriter writer;
		writer.gauge("open", "Open.", {{"listener", "a"}}, 1);
		writer.counter("in_total", "In.", {{"listener", "a"}}, 2);
		writer.gauge("open", "Open.", {{"listener", "b"}}, 3);
		writer.counter("in_total", "In.", {{"listener", "b"}}, 4);
		CPPUNIT_ASSERT_EQUAL(std::string(
			"# HELP open Open.\n"
			"# TYPE open gauge\n"
			"open{listener=\"a\"} 1\n"
			"open{listener=\"b\"} 3\n"
			"# HELP in_total In.\n"
			"# TYPE in_total counter\n"
			"in_total{listener=\"a\"} 2\n"
			"in_total{listener=\"b\"} 4\n"), writer.text());
	}

	void testLabelValueEscaping()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("a\\\\b\\\"c\\nd"), PrometheusWriter::escapeLabelValue("a\\b\"c\nd"));
		PrometheusWriter writer;
		writer.counter("x_total", "X.", {{"path", "/\"q\"\n"}}, 1);
		CPPUNIT_ASSERT(writer.text().find("x_total{path=\"/\\\"q\\\"\\n\"} 1\n") != std::string::npos);
	}

	void testHelpEscaping()
	{
		// Quotes stay as they are in HELP; backslash and newline do not.
		CPPUNIT_ASSERT_EQUAL(std::string("say \"hi\" \\\\ now\\nthen"), PrometheusWriter::escapeHelp("say \"hi\" \\ now\nthen"));
	}

	void testHistogram()
	{
		PrometheusWriter writer;
		writer.histogram("lat_seconds", "Latency.", {{"listener", "page"}}, {0.005, 0.1, 1}, {2, 5, 6}, 1.25, 7);
		CPPUNIT_ASSERT_EQUAL(std::string(
			"# HELP lat_seconds Latency.\n"
			"# TYPE lat_seconds histogram\n"
			"lat_seconds_bucket{listener=\"page\",le=\"0.005\"} 2\n"
			"lat_seconds_bucket{listener=\"page\",le=\"0.1\"} 5\n"
			"lat_seconds_bucket{listener=\"page\",le=\"1\"} 6\n"
			"lat_seconds_bucket{listener=\"page\",le=\"+Inf\"} 7\n"
			"lat_seconds_sum{listener=\"page\"} 1.25\n"
			"lat_seconds_count{listener=\"page\"} 7\n"), writer.text());
		CPPUNIT_ASSERT_THROW(writer.histogram("h", "H.", {}, {1, 2}, {1}, 0, 1), Poco::InvalidArgumentException);
	}

	void testValues()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("0"), PrometheusWriter::formatValue(0));
		CPPUNIT_ASSERT_EQUAL(std::string("18446744073709"), PrometheusWriter::formatValue(18446744073709.0));
		CPPUNIT_ASSERT_EQUAL(std::string("0.5"), PrometheusWriter::formatValue(0.5));
		CPPUNIT_ASSERT_EQUAL(std::string("+Inf"), PrometheusWriter::formatValue(std::numeric_limits<double>::infinity()));
		CPPUNIT_ASSERT_EQUAL(std::string("-Inf"), PrometheusWriter::formatValue(-std::numeric_limits<double>::infinity()));
		CPPUNIT_ASSERT_EQUAL(std::string("NaN"), PrometheusWriter::formatValue(std::nan("")));
	}

	void testTypeClashRefused()
	{
		PrometheusWriter writer;
		writer.counter("x", "X.", {}, 1);
		CPPUNIT_ASSERT_THROW(writer.gauge("x", "X.", {}, 1), Poco::InvalidArgumentException);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PrometheusWriterTest);
