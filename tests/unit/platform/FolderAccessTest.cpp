#include "webchat/platform/FolderAccess.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>

using webchat::platform::canReadFolder;
using webchat::platform::canWriteFolder;

// The folder checks the page (its root) and the chat room (its database's
// folder) make before they rely on a folder: a plain folder passes, a
// missing one or a file fails; on Linux a folder without its x bit fails as
// well (root is refused by the mode bits too, see FolderAccess.cpp).
class FolderAccessTest : public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FolderAccessTest);
	CPPUNIT_TEST(testWritableFolder);
	CPPUNIT_TEST(testMissingFolder);
	CPPUNIT_TEST(testFileIsNoFolder);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir = Poco::TemporaryFile::tempName();
		Poco::File(_dir).createDirectories();
	}

	void tearDown() override { Poco::File(_dir).remove(true); }

	void testWritableFolder()
	{
		CPPUNIT_ASSERT(canReadFolder(_dir));
		CPPUNIT_ASSERT(canWriteFolder(_dir));
	}

	void testMissingFolder()
	{
		const std::string missing = Poco::Path(Poco::Path(_dir, ""), "missing").toString();
		CPPUNIT_ASSERT(!canReadFolder(missing));
		CPPUNIT_ASSERT(!canWriteFolder(missing));
	}

	void testFileIsNoFolder()
	{
		const std::string file = Poco::Path(Poco::Path(_dir, ""), "file").toString();
		{
			Poco::FileOutputStream out(file);
			out << "x";
		}
		CPPUNIT_ASSERT(!canReadFolder(file));
		CPPUNIT_ASSERT(!canWriteFolder(file));
	}

private:
	std::string _dir;
};

CPPUNIT_TEST_SUITE_REGISTRATION(FolderAccessTest);
