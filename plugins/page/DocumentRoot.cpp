#include "DocumentRoot.h"

#include "Poco/Exception.h"
#include "Poco/File.h"

#include <memory>

namespace webchat {
namespace page {

const std::string DocumentRoot::INDEX_FILE = "index.html";

namespace {

DocumentRoot::Resource notFound(const std::string& problem, bool refused = false)
{
	DocumentRoot::Resource resource;
	resource.kind = DocumentRoot::Resource::NOT_FOUND;
	resource.problem = problem;
	resource.refused = refused;
	return resource;
}

} // namespace

DocumentRoot::DocumentRoot(const std::string& path):
	_configured(path)
{
	const std::string root = canonicalRoot();
	if (root.empty() || !Poco::File(root).isDirectory())
		throw Poco::FileNotFoundException("not an existing directory", path);
}

std::string DocumentRoot::canonicalRoot() const
{
	return canonical(_configured);
}

bool DocumentRoot::contains(const std::string& root, const std::string& canonicalPath)
{
	if (canonicalPath == root) return true;
	// "/" is the one canonical path that ends with '/'.
	const std::string prefix = root == "/" ? root : root + "/";
	if (canonicalPath.compare(0, prefix.size(), prefix) != 0) return false;
	for (std::string::size_type i = prefix.size() - 1; i != std::string::npos; i = canonicalPath.find('/', i + 1))
	{
		if (i + 1 < canonicalPath.size() && canonicalPath[i + 1] == '.') return false;
	}
	return true;
}

DocumentRoot::Resource DocumentRoot::find(const RequestPath& request) const
{
	if (!request.accepted()) return notFound("path not accepted: " + request.problem());

	const std::string root = canonicalRoot();
	if (root.empty()) return notFound("the document root " + _configured + " no longer exists");
	std::string candidate = root;
	if (!request.segments().empty())
	{
		if (candidate != "/") candidate += '/';
		candidate += request.relative();
	}
	const std::string real = canonical(candidate);
	if (real.empty()) return notFound("no such file");
	if (!contains(root, real)) return notFound("resolves to " + real + ", outside the root or hidden", true);

	try
	{
		return lookUp(root, real, request.directory());
	}
	catch (const Poco::FileException& exc)
	{
		// Removed or changed since realpath() saw it.
		return notFound(exc.displayText());
	}
}

DocumentRoot::Resource DocumentRoot::lookUp(const std::string& root, const std::string& real, bool directoryRequested)
{
	Poco::File entry(real);
	if (entry.isDirectory())
	{
		if (!directoryRequested)
		{
			Resource resource;
			resource.kind = Resource::ADD_SLASH;
			return resource;
		}
		const std::string index = canonical(real + (real == "/" ? "" : "/") + INDEX_FILE);
		if (index.empty())
		{
			Resource resource;
			resource.kind = Resource::NO_INDEX;
			resource.problem = "directory without " + INDEX_FILE;
			return resource;
		}
		if (!contains(root, index)) return notFound(INDEX_FILE + " resolves to " + index + ", outside the root or hidden", true);
		return file(index);
	}
	// "/file.html/": realpath() does not refuse a trailing slash after a file.
	if (directoryRequested) return notFound("not a directory");
	return file(real);
}

DocumentRoot::Resource DocumentRoot::file(const std::string& canonicalPath)
{
	Poco::File entry(canonicalPath);
	// Devices, FIFOs (opening one would block the thread) and sockets.
	if (!entry.isFile()) return notFound("not a regular file");
	Resource resource;
	resource.kind = Resource::FILE;
	resource.path = canonicalPath;
	resource.size = entry.getSize();
	resource.modified = entry.getLastModified();
	return resource;
}

} } // namespace webchat::page
