// DocumentRoot: the second wall, with real files and symbolic links.
#include "DocumentRoot.h"
#include "RequestPath.h"

#include "TempFiles.h"

#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>

using webchat::page::DocumentRoot;
using webchat::page::RequestPath;
using Resource = webchat::page::DocumentRoot::Resource;

namespace {

void writeFile(const std::string& path, const std::string& text)
{
	Poco::FileOutputStream out(path);
	out << text;
}

void symlink(const std::string& target, const std::string& link)
{
	Poco::File(target).linkTo(link, Poco::File::LINK_SYMBOLIC);
}

} // namespace

class DocumentRootTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(DocumentRootTest);
	CPPUNIT_TEST(testRootMustBeAnExistingDirectory);
	CPPUNIT_TEST(testRootIsCanonical);
	CPPUNIT_TEST(testRootLinkSwappedWithoutRestart);
	CPPUNIT_TEST(testRootRemovedAfterStart);
	CPPUNIT_TEST(testIndexForRoot);
	CPPUNIT_TEST(testIndexForDirectory);
	CPPUNIT_TEST(testPlainFile);
	CPPUNIT_TEST(testMissing);
	CPPUNIT_TEST(testDirectoryWithoutSlash);
	CPPUNIT_TEST(testDirectoryWithoutIndex);
	CPPUNIT_TEST(testFileWithTrailingSlash);
	CPPUNIT_TEST(testSymlinkInsideRootServed);
	CPPUNIT_TEST(testSymlinkOutsideRootRefused);
	CPPUNIT_TEST(testSymlinkedDirectoryOutsideRootRefused);
	CPPUNIT_TEST(testIndexSymlinkOutsideRootRefused);
	CPPUNIT_TEST(testSymlinkIntoHiddenRefused);
	CPPUNIT_TEST(testDanglingSymlink);
	CPPUNIT_TEST(testSiblingWithRootPrefixRefused);
	CPPUNIT_TEST(testFifoRefused);
	CPPUNIT_TEST(testRejectedPathNotLookedUp);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_base = webchat::test::makeTempDir();
		_rootPath = _base + "/htdocs";
		_outside = _base + "/outside";
		Poco::File(_rootPath + "/sub").createDirectories();
		Poco::File(_rootPath + "/empty").createDirectories();
		Poco::File(_rootPath + "/.git").createDirectories();
		Poco::File(_rootPath + "/evil").createDirectories();
		Poco::File(_outside).createDirectories();
		// A sibling whose name starts with the root's: a prefix test without
		// the trailing '/' would take it for a part of the root.
		Poco::File(_rootPath + "-private").createDirectories();
		writeFile(_rootPath + "/index.html", "<h1>root</h1>");
		writeFile(_rootPath + "/style.css", "body{}");
		writeFile(_rootPath + "/sub/index.html", "<h1>sub</h1>");
		writeFile(_rootPath + "/.git/config", "[core]");
		writeFile(_outside + "/secret.txt", "secret");
		writeFile(_rootPath + "-private/secret.txt", "secret");
		symlink(_rootPath + "/style.css", _rootPath + "/alias.css");
		symlink("sub", _rootPath + "/subalias");
		symlink(_outside + "/secret.txt", _rootPath + "/secret.txt");
		symlink(_outside, _rootPath + "/outdir");
		symlink(_outside + "/secret.txt", _rootPath + "/evil/index.html");
		symlink(".git/config", _rootPath + "/config");
		symlink(_base + "/nothing-here", _rootPath + "/dangling");
		symlink("../htdocs-private/secret.txt", _rootPath + "/sibling.txt");
		_root = std::make_unique<DocumentRoot>(_rootPath);
	}

	void tearDown() override
	{
		_root.reset();
		Poco::File(_base).remove(true);
	}

	void testRootMustBeAnExistingDirectory()
	{
		CPPUNIT_ASSERT_THROW(DocumentRoot(_base + "/missing"), Poco::FileNotFoundException);
		CPPUNIT_ASSERT_THROW(DocumentRoot(_rootPath + "/style.css"), Poco::FileNotFoundException);
	}

	void testRootIsCanonical()
	{
		symlink(_rootPath, _base + "/link-to-root");
		DocumentRoot viaLink(_base + "/link-to-root/");
		CPPUNIT_ASSERT_EQUAL(DocumentRoot::canonical(_rootPath), viaLink.canonicalRoot());
		CPPUNIT_ASSERT(viaLink.canonicalRoot().back() != '/');
		CPPUNIT_ASSERT_EQUAL(_base + "/link-to-root/", viaLink.path());
		const Resource r = viaLink.find(RequestPath::parse("/style.css"));
		CPPUNIT_ASSERT_EQUAL(Resource::FILE, r.kind);
	}

	void testRootLinkSwappedWithoutRestart()
	{
		// The usual atomic deployment: root = current -> release-N.
		Poco::File(_base + "/release-2").createDirectories();
		writeFile(_base + "/release-2/index.html", "<h1>release 2</h1>");
		symlink(_rootPath, _base + "/current");
		DocumentRoot current(_base + "/current");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(13), current.find(RequestPath::parse("/")).size);
		symlink(_base + "/release-2", _base + "/current.new");
		Poco::File(_base + "/current.new").renameTo(_base + "/current");
		const Resource r = current.find(RequestPath::parse("/"));
		CPPUNIT_ASSERT_EQUAL(Resource::FILE, r.kind);
		CPPUNIT_ASSERT_EQUAL(DocumentRoot::canonical(_base + "/release-2/index.html"), r.path);
		// The old release's files are now outside the root.
		symlink(_rootPath + "/style.css", _base + "/release-2/old.css");
		CPPUNIT_ASSERT(current.find(RequestPath::parse("/old.css")).refused);
	}

	void testRootRemovedAfterStart()
	{
		Poco::File(_base + "/gone").createDirectories();
		DocumentRoot gone(_base + "/gone");
		Poco::File(_base + "/gone").remove();
		const Resource r = gone.find(RequestPath::parse("/"));
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, r.kind);
		CPPUNIT_ASSERT(r.problem.find("no longer exists") != std::string::npos);
	}

	void testIndexForRoot()
	{
		const Resource r = find("/");
		CPPUNIT_ASSERT_EQUAL(Resource::FILE, r.kind);
		CPPUNIT_ASSERT_EQUAL(_root->canonicalRoot() + "/index.html", r.path);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(13), r.size);
		CPPUNIT_ASSERT(r.modified == Poco::File(_rootPath + "/index.html").getLastModified());
	}

	void testIndexForDirectory()
	{
		const Resource r = find("/sub/");
		CPPUNIT_ASSERT_EQUAL(Resource::FILE, r.kind);
		CPPUNIT_ASSERT_EQUAL(_root->canonicalRoot() + "/sub/index.html", r.path);
	}

	void testPlainFile()
	{
		const Resource r = find("/style.css");
		CPPUNIT_ASSERT_EQUAL(Resource::FILE, r.kind);
		CPPUNIT_ASSERT_EQUAL(_root->canonicalRoot() + "/style.css", r.path);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(6), r.size);
	}

	void testMissing()
	{
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/nope.html").kind);
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/nope/").kind);
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/sub/nope.html").kind);
		CPPUNIT_ASSERT(!find("/nope.html").refused);
	}

	void testDirectoryWithoutSlash()
	{
		CPPUNIT_ASSERT_EQUAL(Resource::ADD_SLASH, find("/sub").kind);
		CPPUNIT_ASSERT_EQUAL(Resource::ADD_SLASH, find("/empty").kind);
	}

	void testDirectoryWithoutIndex()
	{
		CPPUNIT_ASSERT_EQUAL(Resource::NO_INDEX, find("/empty/").kind);
	}

	void testFileWithTrailingSlash()
	{
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/style.css/").kind);
	}

	void testSymlinkInsideRootServed()
	{
		Resource r = find("/alias.css");
		CPPUNIT_ASSERT_EQUAL(Resource::FILE, r.kind);
		CPPUNIT_ASSERT_EQUAL(_root->canonicalRoot() + "/style.css", r.path);
		r = find("/subalias/");
		CPPUNIT_ASSERT_EQUAL(Resource::FILE, r.kind);
		CPPUNIT_ASSERT_EQUAL(_root->canonicalRoot() + "/sub/index.html", r.path);
	}

	void testSymlinkOutsideRootRefused()
	{
		const Resource r = find("/secret.txt");
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, r.kind);
		CPPUNIT_ASSERT(r.refused);
		CPPUNIT_ASSERT(r.path.empty());
	}

	void testSymlinkedDirectoryOutsideRootRefused()
	{
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/outdir/secret.txt").kind);
		CPPUNIT_ASSERT(find("/outdir/secret.txt").refused);
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/outdir/").kind);
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/outdir").kind);
	}

	void testIndexSymlinkOutsideRootRefused()
	{
		const Resource r = find("/evil/");
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, r.kind);
		CPPUNIT_ASSERT(r.refused);
	}

	void testSymlinkIntoHiddenRefused()
	{
		const Resource r = find("/config");
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, r.kind);
		CPPUNIT_ASSERT(r.refused);
	}

	void testDanglingSymlink()
	{
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/dangling").kind);
	}

	void testSiblingWithRootPrefixRefused()
	{
		const Resource r = find("/sibling.txt");
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, r.kind);
		CPPUNIT_ASSERT(r.refused);
	}

	void testFifoRefused()
	{
		const std::string fifo = _rootPath + "/pipe.txt";
		CPPUNIT_ASSERT_EQUAL(0, ::mkfifo(fifo.c_str(), 0600));
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/pipe.txt").kind);
	}

	void testRejectedPathNotLookedUp()
	{
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/../outside/secret.txt").kind);
		CPPUNIT_ASSERT_EQUAL(Resource::NOT_FOUND, find("/.git/config").kind);
	}

private:
	Resource find(const std::string& target)
	{
		return _root->find(RequestPath::parse(target));
	}

	std::string _base;
	std::string _rootPath;
	std::string _outside;
	std::unique_ptr<DocumentRoot> _root;
};

CPPUNIT_TEST_SUITE_REGISTRATION(DocumentRootTest);
