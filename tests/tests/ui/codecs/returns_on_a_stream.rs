use restrait::{resource, ByteStream, Result};

#[resource]
pub trait Export {
    #[get("/export")]
    #[returns(xml)]
    async fn export(&self) -> Result<ByteStream>;
}

fn main() {}
