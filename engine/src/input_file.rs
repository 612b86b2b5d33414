//! Reading files named on the command line (keys, policies, waivers, frameworks): regular
//! files only, and never more than a stated number of bytes.
//!
//! A device (`/dev/zero`), a FIFO or a socket given as an input would read forever or block
//! forever. The file is opened without blocking (`O_NONBLOCK`, so opening a FIFO with no
//! writer returns at once) and the type of the *opened* descriptor is checked, so nothing can
//! be swapped in between the check and the read. The read itself stops one byte past the
//! limit, so a file that lies about its size (or grows) is still refused without being
//! slurped.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// The largest policy-side input file vouch reads, other than key files and policy
/// sources (which have their own limits): waivers and framework definitions.
pub const MAX_INPUT_FILE: u64 = 16 * 1024 * 1024;

/// The most worker threads `-j` may ask for; larger values are lowered to it.
pub const MAX_THREADS: usize = 256;

/// Why an input file was not read.
#[derive(Debug)]
pub enum InputFileError {
    /// The path is a device, FIFO, socket or directory: never read.
    NotRegular {
        /// What it is: "FIFO", "character device", ...
        what: &'static str,
    },
    /// The file holds more than the limit.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Opening or reading failed.
    Io(io::Error),
}

impl InputFileError {
    /// The stable code (`vouch::input::...`).
    pub fn code(&self) -> &'static str {
        match self {
            InputFileError::NotRegular { .. } => "vouch::input::not-a-regular-file",
            InputFileError::TooLarge { .. } => "vouch::input::too-large",
            InputFileError::Io(_) => "vouch::input::unreadable",
        }
    }

    /// A one-line reason, lowercase, without the path.
    pub fn reason(&self) -> String {
        match self {
            InputFileError::NotRegular { what } => {
                format!("it is a {what}, not a regular file; vouch reads only regular files")
            }
            InputFileError::TooLarge { limit } => {
                format!("it is larger than the {limit} bytes vouch reads from such a file")
            }
            InputFileError::Io(e) => match e.kind() {
                io::ErrorKind::NotFound => "no such file".to_owned(),
                io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                _ => e.to_string(),
            },
        }
    }

    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            InputFileError::NotRegular { .. } => {
                "copy the input into a regular file and pass that path (devices, FIFOs, \
                 sockets and process substitutions are refused)"
            }
            InputFileError::TooLarge { .. } => {
                "check that this is the intended file; inputs of this kind are small"
            }
            InputFileError::Io(_) => "check the path and its permissions",
        }
    }
}

impl std::fmt::Display for InputFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason())
    }
}

impl std::error::Error for InputFileError {}

/// Opens `path` for reading without blocking on a FIFO and checks that the opened descriptor
/// is a regular file. Symlinks are followed (a command-line path may be one).
pub fn open_regular(path: &Path) -> Result<(File, u64), InputFileError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        // A UNIX socket cannot be opened at all.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Err(InputFileError::NotRegular { what: "socket" });
        }
        Err(e) => return Err(InputFileError::Io(e)),
    };
    let meta = file.metadata().map_err(InputFileError::Io)?;
    if !meta.is_file() {
        return Err(InputFileError::NotRegular {
            what: kind_of(&meta.file_type()),
        });
    }
    Ok((file, meta.len()))
}

/// Reads all of the regular file at `path`, refusing anything that is not a regular file
/// or holds more than `limit` bytes.
pub fn read_input_file(path: &Path, limit: u64) -> Result<Vec<u8>, InputFileError> {
    let (file, size) = open_regular(path)?;
    if size > limit {
        return Err(InputFileError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(InputFileError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(InputFileError::TooLarge { limit });
    }
    Ok(bytes)
}

/// What a file that is not regular is, in words.
pub fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO";
        } else if file_type.is_socket() {
            return "socket";
        } else if file_type.is_block_device() {
            return "block device";
        } else if file_type.is_char_device() {
            return "character device";
        }
    }
    "special file"
}

/// `requested` threads lowered to [`MAX_THREADS`] (and raised to 1).
pub fn cap_threads(requested: usize) -> usize {
    requested.clamp(1, MAX_THREADS)
}

/// The threads a pool has when none were asked for: one per processor the process may use,
/// at most [`MAX_THREADS`]. Asked only when a pool is started (counting reads the cgroup's
/// CPU quota from files).
pub fn default_threads() -> usize {
    cap_threads(std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_input_file(&path, 5).unwrap(), b"12345");
        assert!(matches!(
            read_input_file(&path, 4),
            Err(InputFileError::TooLarge { limit: 4 })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused() {
        let e = read_input_file(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(e.code(), "vouch::input::not-a-regular-file");
        assert!(e.reason().contains("character device"), "{}", e.reason());
        let dir = tempfile::tempdir().unwrap();
        let e = read_input_file(dir.path(), 1 << 20).unwrap_err();
        assert!(e.reason().contains("directory"), "{}", e.reason());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let e = read_input_file(&fifo, 1 << 20).unwrap_err();
        assert!(e.reason().contains("FIFO"), "{}", e.reason());
    }

    #[test]
    fn threads_are_capped() {
        assert_eq!(cap_threads(100_000), MAX_THREADS);
        assert_eq!(cap_threads(0), 1);
        assert_eq!(cap_threads(4), 4);
    }
}
