#include "TempFiles.h"

#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/TemporaryFile.h"

namespace webchat::test {

Poco::UInt16 freeLoopbackPort()
{
	Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
	return socket.address().port();
}

std::string writeTempFile(const std::string& contents, const std::string& extension)
{
	const std::string path = Poco::TemporaryFile::tempName() + extension;
	Poco::TemporaryFile::registerForDeletion(path);
	Poco::FileOutputStream out(path);
	out << contents;
	out.close();
	return path;
}

std::string makeTempDir()
{
	const std::string path = Poco::TemporaryFile::tempName();
	Poco::File(path).createDirectories();
	Poco::TemporaryFile::registerForDeletion(path);
	return path;
}

} // namespace webchat::test
