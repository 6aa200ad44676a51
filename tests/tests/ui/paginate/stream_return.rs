use restrait::{resource, ByteStream, Result};

#[resource]
pub trait Archive {
    #[get("/archives")]
    #[paginate(link)]
    fn archives(&self) -> Result<ByteStream>;
}

fn main() {}
