// The CppUnit runner shared by every test executable. An optional argument
// runs one suite or test by name (e.g. "StaticFileTest::testEtag").
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/TestRunner.h>
#include <cppunit/extensions/TestFactoryRegistry.h>

#include <iostream>

int main(int argc, char** argv)
{
	const std::string testPath = argc > 1 ? argv[1] : "";

	CppUnit::TestResult controller;
	CppUnit::TestResultCollector result;
	controller.addListener(&result);
	CppUnit::BriefTestProgressListener progress;
	controller.addListener(&progress);

	CppUnit::TestRunner runner;
	runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
	try
	{
		runner.run(controller, testPath);
	}
	catch (const std::invalid_argument& exc)
	{
		std::cerr << "no test named " << testPath << ": " << exc.what() << std::endl;
		return 2;
	}
	CppUnit::CompilerOutputter outputter(&result, std::cerr);
	outputter.write();
	return result.wasSuccessful() ? 0 : 1;
}
