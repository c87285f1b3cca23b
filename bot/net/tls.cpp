#include "bot/net/tls.hpp"

#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace warroom::net {

namespace asio = boost::asio;

namespace {

// OpenSSL's default trust store is a bundle file plus a hashed directory.
// set_default_verify_paths() parses every certificate of the bundle at start
// (about 140: 1.3 MB of memory and 60 ms); the directory is read lazily, one
// issuer at a time. Where the bundle is the one update-ca-certificates writes
// into that same directory (Debian, Ubuntu, our image), both hold the same
// certificates, so the directory alone trusts exactly the same issuers.
// File and directory are the ones OpenSSL would use (SSL_CERT_FILE and
// SSL_CERT_DIR first); any other layout keeps the defaults.
bool bundle_mirrors_directory(std::string& dir) {
    const char* file_env = std::getenv(X509_get_default_cert_file_env());
    const char* dir_env = std::getenv(X509_get_default_cert_dir_env());
    std::string file_path = file_env ? file_env : X509_get_default_cert_file();
    std::string dir_path = dir_env ? dir_env : X509_get_default_cert_dir();
    if (dir_path.find(':') != std::string::npos) return false;  // a list of directories
    std::error_code ec;
    auto file = std::filesystem::canonical(file_path, ec);
    if (ec) return false;
    auto certs = std::filesystem::canonical(dir_path, ec);
    if (ec || file.parent_path() != certs || file.filename() != "ca-certificates.crt") return false;
    // Only a directory with OpenSSL's hash links (<8 hex digits>.<n>) can be
    // searched by issuer; without them the bundle is the only trust there is.
    for (const auto& entry : std::filesystem::directory_iterator(certs, ec)) {
        auto name = entry.path().filename().string();
        bool hashed = name.size() >= 10 && name[8] == '.' &&
                      std::all_of(name.begin(), name.begin() + 8, [](unsigned char c) { return std::isxdigit(c); });
        if (hashed) {
            dir = certs.string();
            return true;
        }
    }
    return false;
}

}  // namespace

asio::ssl::context verified_tls() {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    if (std::string dir; bundle_mirrors_directory(dir))
        tls.add_verify_path(dir);
    else
        tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    return tls;
}

}  // namespace warroom::net
